
type ControlControlPeerParticipationKind = "guest" | "recorder" | "sip" | "user";
export { ControlControlPeerParticipationKind };