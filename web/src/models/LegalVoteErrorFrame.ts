import {LegalVoteError} from './LegalVoteError';
interface LegalVoteErrorFrame {
  'namespace': 'legal_vote';
  'timestamp': string;
  'payload': LegalVoteError;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteErrorFrame };