import {PollsVote} from './PollsVote';
interface PollsVoteFrame {
  'namespace': 'polls';
  'payload': PollsVote;
  'additionalProperties'?: Map<string, any>;
}
export { PollsVoteFrame };