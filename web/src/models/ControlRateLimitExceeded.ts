import {ControlRateLimitExceededTag} from './ControlRateLimitExceededTag';
interface ControlRateLimitExceeded {
  'message': ControlRateLimitExceededTag;
  'additionalProperties'?: Map<string, any>;
}
export { ControlRateLimitExceeded };