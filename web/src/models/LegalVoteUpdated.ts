import {LegalVoteUpdatedTag} from './LegalVoteUpdatedTag';
import {LegalVoteVotingRecordValue} from './LegalVoteVotingRecordValue';
interface LegalVoteUpdated {
  'message': LegalVoteUpdatedTag;
  'legal_vote_id': string;
  'yes': number;
  'no': number;
  'voting_record': Map<string, LegalVoteVotingRecordValue>;
  'abstain'?: number | null;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteUpdated };