
type ControlUpdateTag = "update";
export { ControlUpdateTag };