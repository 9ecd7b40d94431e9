
type PollsFinishTag = "finish";
export { PollsFinishTag };