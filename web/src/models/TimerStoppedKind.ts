
type TimerStoppedKind = "by_moderator" | "expired";
export { TimerStoppedKind };