
type ModerationInWaitingRoomTag = "in_waiting_room";
export { ModerationInWaitingRoomTag };