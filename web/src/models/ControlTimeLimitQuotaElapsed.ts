import {ControlTimeLimitQuotaElapsedTag} from './ControlTimeLimitQuotaElapsedTag';
interface ControlTimeLimitQuotaElapsed {
  'message': ControlTimeLimitQuotaElapsedTag;
  'additionalProperties'?: Map<string, any>;
}
export { ControlTimeLimitQuotaElapsed };