
type ModerationLeftWaitingRoomTag = "left_waiting_room";
export { ModerationLeftWaitingRoomTag };