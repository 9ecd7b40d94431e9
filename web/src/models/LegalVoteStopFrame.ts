import {LegalVoteStop} from './LegalVoteStop';
interface LegalVoteStopFrame {
  'namespace': 'legal_vote';
  'payload': LegalVoteStop;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteStopFrame };