import {ModerationEnableWaitingRoomTag} from './ModerationEnableWaitingRoomTag';
interface ModerationEnableWaitingRoom {
  'action': ModerationEnableWaitingRoomTag;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationEnableWaitingRoom };