
type AutomodRemainingUpdatedTag = "remaining_updated";
export { AutomodRemainingUpdatedTag };