import {LegalVoteVote} from './LegalVoteVote';
interface LegalVoteVoteFrame {
  'namespace': 'legal_vote';
  'payload': LegalVoteVote;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteVoteFrame };