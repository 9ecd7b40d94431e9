
type BreakoutStopTag = "stop";
export { BreakoutStopTag };