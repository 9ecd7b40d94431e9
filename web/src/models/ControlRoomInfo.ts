import {ControlCreatedBy} from './ControlCreatedBy';
interface ControlRoomInfo {
  'id': string;
  'password'?: string | null;
  'created_by': ControlCreatedBy;
  'additionalProperties'?: Map<string, any>;
}
export { ControlRoomInfo };