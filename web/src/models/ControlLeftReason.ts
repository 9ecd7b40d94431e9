
type ControlLeftReason = "banned" | "kicked" | "quit" | "sent_to_waiting_room" | "timeout";
export { ControlLeftReason };