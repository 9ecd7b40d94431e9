import {ModerationLeftWaitingRoomTag} from './ModerationLeftWaitingRoomTag';
interface ModerationLeftWaitingRoom {
  'message': ModerationLeftWaitingRoomTag;
  'id': string;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationLeftWaitingRoom };