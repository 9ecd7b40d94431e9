import {ModerationInWaitingRoomTag} from './ModerationInWaitingRoomTag';
interface ModerationInWaitingRoom {
  'message': ModerationInWaitingRoomTag;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationInWaitingRoom };