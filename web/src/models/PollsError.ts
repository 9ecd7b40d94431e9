import {PollsErrorTag} from './PollsErrorTag';
import {PollsErrorCode} from './PollsErrorCode';
interface PollsError {
  'message': PollsErrorTag;
  'error': PollsErrorCode;
  'additionalProperties'?: Map<string, any>;
}
export { PollsError };