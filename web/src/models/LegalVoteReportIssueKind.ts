
type LegalVoteReportIssueKind = "audio" | "screenshare" | "video";
export { LegalVoteReportIssueKind };