import {LegalVoteCanceled} from './LegalVoteCanceled';
interface LegalVoteCanceledFrame {
  'namespace': 'legal_vote';
  'timestamp': string;
  'payload': LegalVoteCanceled;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteCanceledFrame };