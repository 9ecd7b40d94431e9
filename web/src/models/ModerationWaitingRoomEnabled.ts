import {ModerationWaitingRoomEnabledTag} from './ModerationWaitingRoomEnabledTag';
interface ModerationWaitingRoomEnabled {
  'message': ModerationWaitingRoomEnabledTag;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationWaitingRoomEnabled };