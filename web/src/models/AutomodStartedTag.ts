
type AutomodStartedTag = "started";
export { AutomodStartedTag };