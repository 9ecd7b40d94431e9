import {LegalVoteVoteTag} from './LegalVoteVoteTag';
import {LegalVoteVoteOption} from './LegalVoteVoteOption';
interface LegalVoteVote {
  'action': LegalVoteVoteTag;
  'legal_vote_id': string;
  'option': LegalVoteVoteOption;
  'token': string;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteVote };