
type LegalVoteReportIssueTag = "report_issue";
export { LegalVoteReportIssueTag };