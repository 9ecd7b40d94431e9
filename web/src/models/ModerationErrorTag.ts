
type ModerationErrorTag = "error";
export { ModerationErrorTag };