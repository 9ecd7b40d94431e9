
type ControlHandRaisedTag = "hand_raised";
export { ControlHandRaisedTag };