
type ModerationJoinedWaitingRoomTag = "joined_waiting_room";
export { ModerationJoinedWaitingRoomTag };