
type ModerationKickTag = "kick";
export { ModerationKickTag };