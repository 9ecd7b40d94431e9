
type ControlJoinBlockedTag = "join_blocked";
export { ControlJoinBlockedTag };