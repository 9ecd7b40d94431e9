
type ControlEnterRoomTag = "enter_room";
export { ControlEnterRoomTag };