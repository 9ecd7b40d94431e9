import {BreakoutError} from './BreakoutError';
interface BreakoutErrorFrame {
  'namespace': 'breakout';
  'timestamp': string;
  'payload': BreakoutError;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutErrorFrame };