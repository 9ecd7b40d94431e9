
type LegalVoteStoppedTag = "stopped";
export { LegalVoteStoppedTag };