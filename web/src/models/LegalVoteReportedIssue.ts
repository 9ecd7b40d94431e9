import {LegalVoteReportedIssueTag} from './LegalVoteReportedIssueTag';
import {LegalVoteReportedIssueKind} from './LegalVoteReportedIssueKind';
interface LegalVoteReportedIssue {
  'message': LegalVoteReportedIssueTag;
  'legal_vote_id': string;
  'participant_id'?: string | null;
  'kind'?: LegalVoteReportedIssueKind | null;
  'description'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteReportedIssue };