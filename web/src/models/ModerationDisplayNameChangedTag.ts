
type ModerationDisplayNameChangedTag = "display_name_changed";
export { ModerationDisplayNameChangedTag };