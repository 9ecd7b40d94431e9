
type ControlHandLoweredTag = "hand_lowered";
export { ControlHandLoweredTag };