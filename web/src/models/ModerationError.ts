import {ModerationErrorTag} from './ModerationErrorTag';
import {ModerationErrorCode} from './ModerationErrorCode';
interface ModerationError {
  'message': ModerationErrorTag;
  'error': ModerationErrorCode;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationError };