
type LegalVoteStoppedReason = "abstain_disabled" | "protocol_inconsistent" | "vote_count_inconsistent";
export { LegalVoteStoppedReason };