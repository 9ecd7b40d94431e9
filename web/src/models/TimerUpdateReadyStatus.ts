import {TimerUpdateReadyStatusTag} from './TimerUpdateReadyStatusTag';
interface TimerUpdateReadyStatus {
  'action': TimerUpdateReadyStatusTag;
  'timer_id': string;
  'status': boolean;
  'additionalProperties'?: Map<string, any>;
}
export { TimerUpdateReadyStatus };