import {LegalVoteCancel} from './LegalVoteCancel';
interface LegalVoteCancelFrame {
  'namespace': 'legal_vote';
  'payload': LegalVoteCancel;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteCancelFrame };