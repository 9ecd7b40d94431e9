
type ControlRevokeModeratorRoleTag = "revoke_moderator_role";
export { ControlRevokeModeratorRoleTag };