import {ModerationJoinedWaitingRoom} from './ModerationJoinedWaitingRoom';
interface ModerationJoinedWaitingRoomFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationJoinedWaitingRoom;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationJoinedWaitingRoomFrame };