
type AutomodStoppedReason = "session_finished" | "stopped_by_moderator";
export { AutomodStoppedReason };