import {BreakoutJoined} from './BreakoutJoined';
interface BreakoutJoinedFrame {
  'namespace': 'breakout';
  'timestamp': string;
  'payload': BreakoutJoined;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutJoinedFrame };