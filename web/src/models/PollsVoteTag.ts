
type PollsVoteTag = "vote";
export { PollsVoteTag };