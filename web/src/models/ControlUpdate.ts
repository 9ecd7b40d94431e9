import {ControlUpdateTag} from './ControlUpdateTag';
import {ControlControlPeer} from './ControlControlPeer';
import {ChatChatPeer} from './ChatChatPeer';
import {TimerTimerPeer} from './TimerTimerPeer';
interface ControlUpdate {
  'message': ControlUpdateTag;
  'id': string;
  'control': ControlControlPeer;
  'chat'?: ChatChatPeer;
  'timer'?: TimerTimerPeer;
  'additionalProperties'?: Map<string, any>;
}
export { ControlUpdate };