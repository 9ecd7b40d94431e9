import {TimerUpdateReadyStatus} from './TimerUpdateReadyStatus';
interface TimerUpdateReadyStatusFrame {
  'namespace': 'timer';
  'payload': TimerUpdateReadyStatus;
  'additionalProperties'?: Map<string, any>;
}
export { TimerUpdateReadyStatusFrame };