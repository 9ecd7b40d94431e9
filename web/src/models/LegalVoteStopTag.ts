
type LegalVoteStopTag = "stop";
export { LegalVoteStopTag };