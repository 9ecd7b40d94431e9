import {ControlTimeLimitQuotaElapsed} from './ControlTimeLimitQuotaElapsed';
interface ControlTimeLimitQuotaElapsedFrame {
  'namespace': 'control';
  'timestamp': string;
  'payload': ControlTimeLimitQuotaElapsed;
  'additionalProperties'?: Map<string, any>;
}
export { ControlTimeLimitQuotaElapsedFrame };