import {TimerUpdatedReadyStatus} from './TimerUpdatedReadyStatus';
interface TimerUpdatedReadyStatusFrame {
  'namespace': 'timer';
  'timestamp': string;
  'payload': TimerUpdatedReadyStatus;
  'additionalProperties'?: Map<string, any>;
}
export { TimerUpdatedReadyStatusFrame };