
type PollsErrorTag = "error";
export { PollsErrorTag };