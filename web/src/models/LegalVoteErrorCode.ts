
type LegalVoteErrorCode = "allowlist_contains_guests" | "insufficient_permissions" | "internal_error" | "invalid_vote_id" | "no_vote_active" | "service_unavailable" | "vote_already_active";
export { LegalVoteErrorCode };