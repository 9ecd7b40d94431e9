
type LegalVoteSummaryState = "canceled" | "finished" | "invalid" | "started";
export { LegalVoteSummaryState };