
type LegalVoteCancelTag = "cancel";
export { LegalVoteCancelTag };