import {ModerationSendToWaitingRoom} from './ModerationSendToWaitingRoom';
interface ModerationSendToWaitingRoomFrame {
  'namespace': 'moderation';
  'payload': ModerationSendToWaitingRoom;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationSendToWaitingRoomFrame };