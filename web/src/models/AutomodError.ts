import {AutomodErrorTag} from './AutomodErrorTag';
import {AutomodErrorCode} from './AutomodErrorCode';
interface AutomodError {
  'message': AutomodErrorTag;
  'error': AutomodErrorCode;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodError };