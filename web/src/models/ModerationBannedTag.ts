
type ModerationBannedTag = "banned";
export { ModerationBannedTag };