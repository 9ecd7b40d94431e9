import {BreakoutErrorTag} from './BreakoutErrorTag';
import {BreakoutErrorCode} from './BreakoutErrorCode';
interface BreakoutError {
  'message': BreakoutErrorTag;
  'error': BreakoutErrorCode;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutError };