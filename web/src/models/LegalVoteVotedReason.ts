
type LegalVoteVotedReason = "ineligible" | "invalid_option" | "invalid_vote_id";
export { LegalVoteVotedReason };