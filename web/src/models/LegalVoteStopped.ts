import {LegalVoteStoppedTag} from './LegalVoteStoppedTag';
import {LegalVoteStoppedResults} from './LegalVoteStoppedResults';
import {LegalVoteStoppedKind} from './LegalVoteStoppedKind';
import {LegalVoteVotingRecordValue} from './LegalVoteVotingRecordValue';
import {LegalVoteStoppedReason} from './LegalVoteStoppedReason';
interface LegalVoteStopped {
  'message': LegalVoteStoppedTag;
  'legal_vote_id': string;
  'results': LegalVoteStoppedResults;
  'kind': LegalVoteStoppedKind;
  'end_time': string;
  'yes'?: number | null;
  'no'?: number | null;
  'abstain'?: number | null;
  'voting_record'?: Map<string, LegalVoteVotingRecordValue> | null;
  'reason'?: LegalVoteStoppedReason | null;
  'issuer'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteStopped };