
type TimerStartedKind = "countdown" | "stopwatch";
export { TimerStartedKind };