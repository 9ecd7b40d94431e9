
type TimerErrorCode = "insufficient_permissions" | "internal_error" | "invalid_duration" | "service_unavailable" | "timer_already_running";
export { TimerErrorCode };