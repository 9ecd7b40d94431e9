
type LegalVoteErrorTag = "error";
export { LegalVoteErrorTag };