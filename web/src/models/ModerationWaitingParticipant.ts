import {ControlControlPeer} from './ControlControlPeer';
import {ModerationWaitingParticipantWaitingRoomState} from './ModerationWaitingParticipantWaitingRoomState';
interface ModerationWaitingParticipant {
  'id': string;
  'control': ControlControlPeer;
  'waiting_room_state': ModerationWaitingParticipantWaitingRoomState;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationWaitingParticipant };