import {BreakoutBreakoutRoom} from './BreakoutBreakoutRoom';
import {BreakoutBreakoutPeer} from './BreakoutBreakoutPeer';
interface BreakoutJoinData {
  'current': string | null;
  'expires': string | null;
  'rooms': BreakoutBreakoutRoom[];
  'participants': BreakoutBreakoutPeer[];
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutJoinData };