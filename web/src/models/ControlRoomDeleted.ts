import {ControlRoomDeletedTag} from './ControlRoomDeletedTag';
interface ControlRoomDeleted {
  'message': ControlRoomDeletedTag;
  'additionalProperties'?: Map<string, any>;
}
export { ControlRoomDeleted };