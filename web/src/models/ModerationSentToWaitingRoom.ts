import {ModerationSentToWaitingRoomTag} from './ModerationSentToWaitingRoomTag';
interface ModerationSentToWaitingRoom {
  'message': ModerationSentToWaitingRoomTag;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationSentToWaitingRoom };