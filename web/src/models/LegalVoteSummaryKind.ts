
type LegalVoteSummaryKind = "live_roll_call" | "pseudonymous" | "roll_call";
export { LegalVoteSummaryKind };