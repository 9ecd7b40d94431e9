
type ModerationWaitingRoomDisabledTag = "waiting_room_disabled";
export { ModerationWaitingRoomDisabledTag };