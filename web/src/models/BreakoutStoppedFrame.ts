import {BreakoutStopped} from './BreakoutStopped';
interface BreakoutStoppedFrame {
  'namespace': 'breakout';
  'timestamp': string;
  'payload': BreakoutStopped;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutStoppedFrame };