import {TimerStopTag} from './TimerStopTag';
interface TimerStop {
  'action': TimerStopTag;
  'timer_id': string;
  'reason'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { TimerStop };