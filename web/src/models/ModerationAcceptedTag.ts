
type ModerationAcceptedTag = "accepted";
export { ModerationAcceptedTag };