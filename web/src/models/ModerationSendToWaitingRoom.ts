import {ModerationSendToWaitingRoomTag} from './ModerationSendToWaitingRoomTag';
interface ModerationSendToWaitingRoom {
  'action': ModerationSendToWaitingRoomTag;
  'target': string;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationSendToWaitingRoom };