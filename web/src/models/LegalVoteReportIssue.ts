import {LegalVoteReportIssueTag} from './LegalVoteReportIssueTag';
import {LegalVoteReportIssueKind} from './LegalVoteReportIssueKind';
interface LegalVoteReportIssue {
  'action': LegalVoteReportIssueTag;
  'legal_vote_id': string;
  'kind'?: LegalVoteReportIssueKind | null;
  'description'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteReportIssue };