
type BreakoutStartedTag = "started";
export { BreakoutStartedTag };