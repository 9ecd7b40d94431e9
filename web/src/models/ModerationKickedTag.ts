
type ModerationKickedTag = "kicked";
export { ModerationKickedTag };