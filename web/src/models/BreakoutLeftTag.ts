
type BreakoutLeftTag = "left";
export { BreakoutLeftTag };