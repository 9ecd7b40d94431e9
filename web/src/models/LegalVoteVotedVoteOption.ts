
type LegalVoteVotedVoteOption = "abstain" | "no" | "yes";
export { LegalVoteVotedVoteOption };