
type LegalVoteCanceledTag = "canceled";
export { LegalVoteCanceledTag };