
type ModerationRaiseHandsEnabledTag = "raise_hands_enabled";
export { ModerationRaiseHandsEnabledTag };