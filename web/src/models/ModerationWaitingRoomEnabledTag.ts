
type ModerationWaitingRoomEnabledTag = "waiting_room_enabled";
export { ModerationWaitingRoomEnabledTag };