
type TimerErrorTag = "error";
export { TimerErrorTag };