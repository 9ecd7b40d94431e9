import {ModerationSentToWaitingRoom} from './ModerationSentToWaitingRoom';
interface ModerationSentToWaitingRoomFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationSentToWaitingRoom;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationSentToWaitingRoomFrame };