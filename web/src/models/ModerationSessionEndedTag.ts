
type ModerationSessionEndedTag = "session_ended";
export { ModerationSessionEndedTag };