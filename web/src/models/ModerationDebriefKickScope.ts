
type ModerationDebriefKickScope = "all" | "guests" | "users_and_guests";
export { ModerationDebriefKickScope };