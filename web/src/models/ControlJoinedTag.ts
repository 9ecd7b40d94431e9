
type ControlJoinedTag = "joined";
export { ControlJoinedTag };