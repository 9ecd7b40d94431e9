
type LegalVoteStoppedKind = "auto" | "by_participant" | "expired";
export { LegalVoteStoppedKind };