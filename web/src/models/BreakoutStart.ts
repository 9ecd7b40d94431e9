import {BreakoutStartTag} from './BreakoutStartTag';
import {BreakoutRoomSpec} from './BreakoutRoomSpec';
interface BreakoutStart {
  'action': BreakoutStartTag;
  'rooms': BreakoutRoomSpec[];
  'duration'?: number | null;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutStart };