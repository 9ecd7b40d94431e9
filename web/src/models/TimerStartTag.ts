
type TimerStartTag = "start";
export { TimerStartTag };