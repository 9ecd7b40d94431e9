import {PollsDoneTag} from './PollsDoneTag';
import {PollsResult} from './PollsResult';
interface PollsDone {
  'message': PollsDoneTag;
  'id': string;
  'results': PollsResult[];
  'additionalProperties'?: Map<string, any>;
}
export { PollsDone };