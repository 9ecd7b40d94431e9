
type PollsLiveUpdateTag = "live_update";
export { PollsLiveUpdateTag };