
type LegalVoteVotedResponse = "failed" | "success";
export { LegalVoteVotedResponse };