
type ModerationEnableWaitingRoomTag = "enable_waiting_room";
export { ModerationEnableWaitingRoomTag };