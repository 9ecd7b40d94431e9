import {ControlRoomDeleted} from './ControlRoomDeleted';
interface ControlRoomDeletedFrame {
  'namespace': 'control';
  'timestamp': string;
  'payload': ControlRoomDeleted;
  'additionalProperties'?: Map<string, any>;
}
export { ControlRoomDeletedFrame };