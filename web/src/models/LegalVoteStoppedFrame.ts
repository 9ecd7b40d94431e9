import {LegalVoteStopped} from './LegalVoteStopped';
interface LegalVoteStoppedFrame {
  'namespace': 'legal_vote';
  'timestamp': string;
  'payload': LegalVoteStopped;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteStoppedFrame };