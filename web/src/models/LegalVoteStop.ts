import {LegalVoteStopTag} from './LegalVoteStopTag';
interface LegalVoteStop {
  'action': LegalVoteStopTag;
  'legal_vote_id': string;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteStop };