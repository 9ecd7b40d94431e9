
type ControlJoinSuccessTag = "join_success";
export { ControlJoinSuccessTag };