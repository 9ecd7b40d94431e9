
type ModerationChangeDisplayNameTag = "change_display_name";
export { ModerationChangeDisplayNameTag };