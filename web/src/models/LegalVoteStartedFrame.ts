import {LegalVoteStarted} from './LegalVoteStarted';
interface LegalVoteStartedFrame {
  'namespace': 'legal_vote';
  'timestamp': string;
  'payload': LegalVoteStarted;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteStartedFrame };