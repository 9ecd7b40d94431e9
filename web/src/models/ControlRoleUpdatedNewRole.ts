
type ControlRoleUpdatedNewRole = "guest" | "moderator" | "user";
export { ControlRoleUpdatedNewRole };