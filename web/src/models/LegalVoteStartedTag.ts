
type LegalVoteStartedTag = "started";
export { LegalVoteStartedTag };