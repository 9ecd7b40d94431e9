
type ChatErrorCode = "chat_disabled" | "insufficient_permissions" | "internal_error" | "service_unavailable";
export { ChatErrorCode };