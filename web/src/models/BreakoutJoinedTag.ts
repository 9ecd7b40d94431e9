
type BreakoutJoinedTag = "joined";
export { BreakoutJoinedTag };