
type LegalVoteStartedKind = "live_roll_call" | "pseudonymous" | "roll_call";
export { LegalVoteStartedKind };