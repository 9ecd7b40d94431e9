import {LegalVoteSummary} from './LegalVoteSummary';
interface LegalVoteJoinData {
  'votes': LegalVoteSummary[];
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteJoinData };