
type ControlRoomDeletedTag = "room_deleted";
export { ControlRoomDeletedTag };