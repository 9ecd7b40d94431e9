import {ControlControlPeer} from './ControlControlPeer';
import {ChatChatPeer} from './ChatChatPeer';
import {TimerTimerPeer} from './TimerTimerPeer';
interface Participant {
  'id': string;
  'control': ControlControlPeer;
  'chat'?: ChatChatPeer;
  'timer'?: TimerTimerPeer;
  'additionalProperties'?: Map<string, any>;
}
export { Participant };