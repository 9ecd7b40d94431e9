import {PollsVoteTag} from './PollsVoteTag';
interface PollsVote {
  'action': PollsVoteTag;
  'poll_id': string;
  'choice_id'?: number | null;
  'choice_ids'?: number[] | null;
  'additionalProperties'?: Map<string, any>;
}
export { PollsVote };