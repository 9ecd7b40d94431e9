import {ModerationDisableWaitingRoomTag} from './ModerationDisableWaitingRoomTag';
interface ModerationDisableWaitingRoom {
  'action': ModerationDisableWaitingRoomTag;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationDisableWaitingRoom };