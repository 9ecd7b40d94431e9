
type ControlModeratorRoleGrantedTag = "moderator_role_granted";
export { ControlModeratorRoleGrantedTag };