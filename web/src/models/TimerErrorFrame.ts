import {TimerError} from './TimerError';
interface TimerErrorFrame {
  'namespace': 'timer';
  'timestamp': string;
  'payload': TimerError;
  'additionalProperties'?: Map<string, any>;
}
export { TimerErrorFrame };