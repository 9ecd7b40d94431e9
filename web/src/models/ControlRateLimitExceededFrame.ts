import {ControlRateLimitExceeded} from './ControlRateLimitExceeded';
interface ControlRateLimitExceededFrame {
  'namespace': 'control';
  'timestamp': string;
  'payload': ControlRateLimitExceeded;
  'additionalProperties'?: Map<string, any>;
}
export { ControlRateLimitExceededFrame };