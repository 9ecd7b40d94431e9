import {ControlJoinBlockedTag} from './ControlJoinBlockedTag';
import {ControlJoinBlockedReason} from './ControlJoinBlockedReason';
interface ControlJoinBlocked {
  'message': ControlJoinBlockedTag;
  'reason'?: ControlJoinBlockedReason;
  'additionalProperties'?: Map<string, any>;
}
export { ControlJoinBlocked };