
type ModerationRaisedHandResetByModeratorTag = "raised_hand_reset_by_moderator";
export { ModerationRaisedHandResetByModeratorTag };