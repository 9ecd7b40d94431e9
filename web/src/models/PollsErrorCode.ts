
type PollsErrorCode = "insufficient_permissions" | "internal_error" | "invalid_choice_count" | "invalid_choice_description" | "invalid_choice_id" | "invalid_duration" | "invalid_poll_id" | "invalid_topic_length" | "multiple_choices_not_allowed" | "service_unavailable" | "still_running";
export { PollsErrorCode };