
type ModerationDisableRaiseHandsTag = "disable_raise_hands";
export { ModerationDisableRaiseHandsTag };