
type ModerationSentToWaitingRoomTag = "sent_to_waiting_room";
export { ModerationSentToWaitingRoomTag };