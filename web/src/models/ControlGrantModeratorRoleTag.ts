
type ControlGrantModeratorRoleTag = "grant_moderator_role";
export { ControlGrantModeratorRoleTag };