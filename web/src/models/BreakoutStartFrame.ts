import {BreakoutStart} from './BreakoutStart';
interface BreakoutStartFrame {
  'namespace': 'breakout';
  'payload': BreakoutStart;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutStartFrame };