import {TimerStarted} from './TimerStarted';
interface TimerStartedFrame {
  'namespace': 'timer';
  'timestamp': string;
  'payload': TimerStarted;
  'additionalProperties'?: Map<string, any>;
}
export { TimerStartedFrame };