
type ModerationWaitingParticipantWaitingRoomState = "accepted" | "waiting";
export { ModerationWaitingParticipantWaitingRoomState };