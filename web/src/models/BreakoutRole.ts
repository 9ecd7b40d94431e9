
type BreakoutRole = "guest" | "moderator" | "user";
export { BreakoutRole };