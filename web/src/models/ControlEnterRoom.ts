import {ControlEnterRoomTag} from './ControlEnterRoomTag';
interface ControlEnterRoom {
  'action': ControlEnterRoomTag;
  'additionalProperties'?: Map<string, any>;
}
export { ControlEnterRoom };