
type BreakoutErrorCode = "inactive" | "insufficient_permissions" | "internal_error" | "service_unavailable";
export { BreakoutErrorCode };