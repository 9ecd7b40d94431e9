import {ModerationJoinedWaitingRoomTag} from './ModerationJoinedWaitingRoomTag';
import {ControlControlPeer} from './ControlControlPeer';
interface ModerationJoinedWaitingRoom {
  'message': ModerationJoinedWaitingRoomTag;
  'id': string;
  'control': ControlControlPeer;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationJoinedWaitingRoom };