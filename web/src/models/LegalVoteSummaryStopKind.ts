
type LegalVoteSummaryStopKind = "auto" | "by_user" | "expired";
export { LegalVoteSummaryStopKind };