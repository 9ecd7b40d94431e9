
type ControlJoinTag = "join";
export { ControlJoinTag };