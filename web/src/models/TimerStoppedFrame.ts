import {TimerStopped} from './TimerStopped';
interface TimerStoppedFrame {
  'namespace': 'timer';
  'timestamp': string;
  'payload': TimerStopped;
  'additionalProperties'?: Map<string, any>;
}
export { TimerStoppedFrame };