import {LegalVoteCanceledTag} from './LegalVoteCanceledTag';
import {LegalVoteCanceledReason} from './LegalVoteCanceledReason';
interface LegalVoteCanceled {
  'message': LegalVoteCanceledTag;
  'legal_vote_id': string;
  'reason': LegalVoteCanceledReason;
  'end_time': string;
  'custom'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteCanceled };