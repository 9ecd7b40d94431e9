import {ModerationInWaitingRoom} from './ModerationInWaitingRoom';
interface ModerationInWaitingRoomFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationInWaitingRoom;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationInWaitingRoomFrame };