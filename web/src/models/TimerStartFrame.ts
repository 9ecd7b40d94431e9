import {TimerStart} from './TimerStart';
interface TimerStartFrame {
  'namespace': 'timer';
  'payload': TimerStart;
  'additionalProperties'?: Map<string, any>;
}
export { TimerStartFrame };