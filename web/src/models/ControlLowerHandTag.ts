
type ControlLowerHandTag = "lower_hand";
export { ControlLowerHandTag };