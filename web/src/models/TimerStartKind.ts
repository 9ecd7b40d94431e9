
type TimerStartKind = "countdown" | "stopwatch";
export { TimerStartKind };