import {ControlLeftTag} from './ControlLeftTag';
import {ControlLeftReason} from './ControlLeftReason';
interface ControlLeft {
  'message': ControlLeftTag;
  'id': string;
  'reason': ControlLeftReason;
  'additionalProperties'?: Map<string, any>;
}
export { ControlLeft };