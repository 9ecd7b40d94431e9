
type TimerUpdateReadyStatusTag = "update_ready_status";
export { TimerUpdateReadyStatusTag };