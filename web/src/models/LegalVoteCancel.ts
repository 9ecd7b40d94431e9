import {LegalVoteCancelTag} from './LegalVoteCancelTag';
interface LegalVoteCancel {
  'action': LegalVoteCancelTag;
  'legal_vote_id': string;
  'reason': string;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteCancel };