import {PollsStartedTag} from './PollsStartedTag';
import {PollsChoice} from './PollsChoice';
interface PollsStarted {
  'message': PollsStartedTag;
  'id': string;
  'topic': string;
  'live': boolean;
  'multiple_choice': boolean;
  'choices': PollsChoice[];
  'duration': number;
  'additionalProperties'?: Map<string, any>;
}
export { PollsStarted };