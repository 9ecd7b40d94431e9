import {LegalVoteVotedTag} from './LegalVoteVotedTag';
import {LegalVoteVotedResponse} from './LegalVoteVotedResponse';
import {LegalVoteVotedVoteOption} from './LegalVoteVotedVoteOption';
import {LegalVoteVotedReason} from './LegalVoteVotedReason';
interface LegalVoteVoted {
  'message': LegalVoteVotedTag;
  'legal_vote_id': string;
  'response': LegalVoteVotedResponse;
  'vote_option'?: LegalVoteVotedVoteOption | null;
  'issuer'?: string | null;
  'consumed_token'?: string | null;
  'reason'?: LegalVoteVotedReason | null;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteVoted };