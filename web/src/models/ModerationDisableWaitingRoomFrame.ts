import {ModerationDisableWaitingRoom} from './ModerationDisableWaitingRoom';
interface ModerationDisableWaitingRoomFrame {
  'namespace': 'moderation';
  'payload': ModerationDisableWaitingRoom;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationDisableWaitingRoomFrame };