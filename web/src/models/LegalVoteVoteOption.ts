
type LegalVoteVoteOption = "abstain" | "no" | "yes";
export { LegalVoteVoteOption };