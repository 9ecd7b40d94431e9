
type LegalVoteReportedIssueKind = "audio" | "screenshare" | "video";
export { LegalVoteReportedIssueKind };