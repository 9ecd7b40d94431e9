import {ModerationLeftWaitingRoom} from './ModerationLeftWaitingRoom';
interface ModerationLeftWaitingRoomFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationLeftWaitingRoom;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationLeftWaitingRoomFrame };