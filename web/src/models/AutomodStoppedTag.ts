
type AutomodStoppedTag = "stopped";
export { AutomodStoppedTag };