import {LegalVoteReportIssue} from './LegalVoteReportIssue';
interface LegalVoteReportIssueFrame {
  'namespace': 'legal_vote';
  'payload': LegalVoteReportIssue;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteReportIssueFrame };