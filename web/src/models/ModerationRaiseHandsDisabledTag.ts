
type ModerationRaiseHandsDisabledTag = "raise_hands_disabled";
export { ModerationRaiseHandsDisabledTag };