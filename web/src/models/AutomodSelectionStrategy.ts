
type AutomodSelectionStrategy = "nomination" | "none" | "playlist" | "random";
export { AutomodSelectionStrategy };