
type LegalVoteUpdatedTag = "updated";
export { LegalVoteUpdatedTag };