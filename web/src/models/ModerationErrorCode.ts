
type ModerationErrorCode = "cannot_ban_guest" | "cannot_ban_room_owner" | "cannot_change_name_of_registered_users" | "cannot_send_room_owner_to_waiting_room" | "insufficient_permissions" | "internal_error" | "invalid_display_name" | "service_unavailable";
export { ModerationErrorCode };