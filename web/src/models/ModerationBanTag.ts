
type ModerationBanTag = "ban";
export { ModerationBanTag };