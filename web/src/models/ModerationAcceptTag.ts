
type ModerationAcceptTag = "accept";
export { ModerationAcceptTag };