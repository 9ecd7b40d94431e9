
type TimerStartedTag = "started";
export { TimerStartedTag };