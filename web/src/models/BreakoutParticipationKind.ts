
type BreakoutParticipationKind = "guest" | "recorder" | "sip" | "user";
export { BreakoutParticipationKind };