import {BreakoutStarted} from './BreakoutStarted';
interface BreakoutStartedFrame {
  'namespace': 'breakout';
  'timestamp': string;
  'payload': BreakoutStarted;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutStartedFrame };