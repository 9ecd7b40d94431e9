import {ControlEnterRoom} from './ControlEnterRoom';
interface ControlEnterRoomFrame {
  'namespace': 'control';
  'payload': ControlEnterRoom;
  'additionalProperties'?: Map<string, any>;
}
export { ControlEnterRoomFrame };