import {ModerationEnableWaitingRoom} from './ModerationEnableWaitingRoom';
interface ModerationEnableWaitingRoomFrame {
  'namespace': 'moderation';
  'payload': ModerationEnableWaitingRoom;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationEnableWaitingRoomFrame };