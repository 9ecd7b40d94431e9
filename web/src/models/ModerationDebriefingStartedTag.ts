
type ModerationDebriefingStartedTag = "debriefing_started";
export { ModerationDebriefingStartedTag };