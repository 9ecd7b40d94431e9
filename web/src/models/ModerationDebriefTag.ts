
type ModerationDebriefTag = "debrief";
export { ModerationDebriefTag };