
type LegalVoteVotingRecordValue = "abstain" | "no" | "yes";
export { LegalVoteVotingRecordValue };