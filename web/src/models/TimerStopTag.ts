
type TimerStopTag = "stop";
export { TimerStopTag };