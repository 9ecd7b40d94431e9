import {LegalVoteReportedIssue} from './LegalVoteReportedIssue';
interface LegalVoteReportedIssueFrame {
  'namespace': 'legal_vote';
  'timestamp': string;
  'payload': LegalVoteReportedIssue;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteReportedIssueFrame };