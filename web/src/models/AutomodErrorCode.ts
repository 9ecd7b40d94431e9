
type AutomodErrorCode = "insufficient_permissions" | "internal_error" | "invalid_selection" | "service_unavailable" | "session_already_running";
export { AutomodErrorCode };