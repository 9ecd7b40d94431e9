import {ChatErrorTag} from './ChatErrorTag';
import {ChatErrorCode} from './ChatErrorCode';
interface ChatError {
  'message': ChatErrorTag;
  'error': ChatErrorCode;
  'additionalProperties'?: Map<string, any>;
}
export { ChatError };