import {BreakoutStartedTag} from './BreakoutStartedTag';
import {BreakoutBreakoutRoom} from './BreakoutBreakoutRoom';
interface BreakoutStarted {
  'message': BreakoutStartedTag;
  'rooms': BreakoutBreakoutRoom[];
  'expires': string | null;
  'assignment': string | null;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutStarted };