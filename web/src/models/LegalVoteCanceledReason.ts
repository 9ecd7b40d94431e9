
type LegalVoteCanceledReason = "custom" | "initiator_left" | "room_destroyed";
export { LegalVoteCanceledReason };