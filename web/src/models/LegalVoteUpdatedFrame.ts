import {LegalVoteUpdated} from './LegalVoteUpdated';
interface LegalVoteUpdatedFrame {
  'namespace': 'legal_vote';
  'timestamp': string;
  'payload': LegalVoteUpdated;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteUpdatedFrame };