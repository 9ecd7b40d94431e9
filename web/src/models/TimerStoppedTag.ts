
type TimerStoppedTag = "stopped";
export { TimerStoppedTag };