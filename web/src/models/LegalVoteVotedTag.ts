
type LegalVoteVotedTag = "voted";
export { LegalVoteVotedTag };