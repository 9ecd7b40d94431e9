
type ModerationDisableWaitingRoomTag = "disable_waiting_room";
export { ModerationDisableWaitingRoomTag };