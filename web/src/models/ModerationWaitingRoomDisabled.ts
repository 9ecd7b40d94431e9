import {ModerationWaitingRoomDisabledTag} from './ModerationWaitingRoomDisabledTag';
interface ModerationWaitingRoomDisabled {
  'message': ModerationWaitingRoomDisabledTag;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationWaitingRoomDisabled };