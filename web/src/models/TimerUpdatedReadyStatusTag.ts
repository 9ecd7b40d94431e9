
type TimerUpdatedReadyStatusTag = "updated_ready_status";
export { TimerUpdatedReadyStatusTag };