
type ControlErrorCode = "already_joined" | "insufficient_permissions" | "internal_error" | "invalid_json" | "invalid_namespace" | "invalid_username" | "not_accepted_or_not_in_waiting_room" | "not_yet_joined" | "nothing_to_do" | "raise_hands_disabled" | "service_unavailable" | "target_is_room_owner";
export { ControlErrorCode };