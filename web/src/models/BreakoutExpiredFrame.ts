import {BreakoutExpired} from './BreakoutExpired';
interface BreakoutExpiredFrame {
  'namespace': 'breakout';
  'timestamp': string;
  'payload': BreakoutExpired;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutExpiredFrame };