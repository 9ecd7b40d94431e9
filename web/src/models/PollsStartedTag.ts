
type PollsStartedTag = "started";
export { PollsStartedTag };