
type BreakoutStoppedTag = "stopped";
export { BreakoutStoppedTag };