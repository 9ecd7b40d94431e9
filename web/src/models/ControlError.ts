import {ControlErrorTag} from './ControlErrorTag';
import {ControlErrorCode} from './ControlErrorCode';
interface ControlError {
  'message': ControlErrorTag;
  'error': ControlErrorCode;
  'additionalProperties'?: Map<string, any>;
}
export { ControlError };