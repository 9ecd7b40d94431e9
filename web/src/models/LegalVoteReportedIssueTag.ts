
type LegalVoteReportedIssueTag = "reported_issue";
export { LegalVoteReportedIssueTag };