import {ControlJoinedTag} from './ControlJoinedTag';
import {ControlControlPeer} from './ControlControlPeer';
import {ChatChatPeer} from './ChatChatPeer';
import {TimerTimerPeer} from './TimerTimerPeer';
interface ControlJoined {
  'message': ControlJoinedTag;
  'id': string;
  'control': ControlControlPeer;
  'chat'?: ChatChatPeer;
  'timer'?: TimerTimerPeer;
  'additionalProperties'?: Map<string, any>;
}
export { ControlJoined };