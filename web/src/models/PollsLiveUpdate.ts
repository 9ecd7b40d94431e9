import {PollsLiveUpdateTag} from './PollsLiveUpdateTag';
import {PollsResult} from './PollsResult';
interface PollsLiveUpdate {
  'message': PollsLiveUpdateTag;
  'id': string;
  'results': PollsResult[];
  'additionalProperties'?: Map<string, any>;
}
export { PollsLiveUpdate };