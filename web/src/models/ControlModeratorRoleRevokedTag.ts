
type ControlModeratorRoleRevokedTag = "moderator_role_revoked";
export { ControlModeratorRoleRevokedTag };