import {TimerErrorTag} from './TimerErrorTag';
import {TimerErrorCode} from './TimerErrorCode';
interface TimerError {
  'message': TimerErrorTag;
  'error': TimerErrorCode;
  'additionalProperties'?: Map<string, any>;
}
export { TimerError };