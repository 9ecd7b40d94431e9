
type LegalVoteVoteTag = "vote";
export { LegalVoteVoteTag };