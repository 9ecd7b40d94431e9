
type ControlErrorTag = "error";
export { ControlErrorTag };