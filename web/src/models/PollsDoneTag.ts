
type PollsDoneTag = "done";
export { PollsDoneTag };