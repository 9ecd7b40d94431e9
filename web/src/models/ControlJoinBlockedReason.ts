
type ControlJoinBlockedReason = "participant_limit_reached";
export { ControlJoinBlockedReason };