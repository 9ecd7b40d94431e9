import {TimerStop} from './TimerStop';
interface TimerStopFrame {
  'namespace': 'timer';
  'payload': TimerStop;
  'additionalProperties'?: Map<string, any>;
}
export { TimerStopFrame };