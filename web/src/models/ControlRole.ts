
type ControlRole = "guest" | "moderator" | "user";
export { ControlRole };