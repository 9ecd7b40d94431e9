
type BreakoutStartTag = "start";
export { BreakoutStartTag };