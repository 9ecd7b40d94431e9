import {BreakoutStop} from './BreakoutStop';
interface BreakoutStopFrame {
  'namespace': 'breakout';
  'payload': BreakoutStop;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutStopFrame };