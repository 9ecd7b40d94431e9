
type ControlRoleUpdatedTag = "role_updated";
export { ControlRoleUpdatedTag };