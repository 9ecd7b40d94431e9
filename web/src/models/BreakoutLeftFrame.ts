import {BreakoutLeft} from './BreakoutLeft';
interface BreakoutLeftFrame {
  'namespace': 'breakout';
  'timestamp': string;
  'payload': BreakoutLeft;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutLeftFrame };