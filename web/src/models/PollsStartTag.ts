
type PollsStartTag = "start";
export { PollsStartTag };