
type ControlLeftTag = "left";
export { ControlLeftTag };