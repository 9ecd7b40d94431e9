
type ModerationResetRaisedHandsTag = "reset_raised_hands";
export { ModerationResetRaisedHandsTag };