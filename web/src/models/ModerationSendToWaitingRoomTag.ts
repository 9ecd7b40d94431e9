
type ModerationSendToWaitingRoomTag = "send_to_waiting_room";
export { ModerationSendToWaitingRoomTag };