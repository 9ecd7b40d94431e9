
type ControlRaiseHandTag = "raise_hand";
export { ControlRaiseHandTag };