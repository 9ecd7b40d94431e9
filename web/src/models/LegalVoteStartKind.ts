
type LegalVoteStartKind = "live_roll_call" | "pseudonymous" | "roll_call";
export { LegalVoteStartKind };