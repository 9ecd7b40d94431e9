import {LegalVoteVoted} from './LegalVoteVoted';
interface LegalVoteVotedFrame {
  'namespace': 'legal_vote';
  'timestamp': string;
  'payload': LegalVoteVoted;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteVotedFrame };