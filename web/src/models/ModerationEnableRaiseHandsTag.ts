
type ModerationEnableRaiseHandsTag = "enable_raise_hands";
export { ModerationEnableRaiseHandsTag };