
type LegalVoteStoppedResults = "invalid" | "valid";
export { LegalVoteStoppedResults };