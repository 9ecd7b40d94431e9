
type LegalVoteStartTag = "start";
export { LegalVoteStartTag };