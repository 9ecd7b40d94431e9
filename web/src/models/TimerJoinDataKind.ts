
type TimerJoinDataKind = "countdown" | "stopwatch";
export { TimerJoinDataKind };