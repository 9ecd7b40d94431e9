import {LegalVoteStart} from './LegalVoteStart';
interface LegalVoteStartFrame {
  'namespace': 'legal_vote';
  'payload': LegalVoteStart;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteStartFrame };