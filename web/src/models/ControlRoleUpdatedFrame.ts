import {ControlRoleUpdated} from './ControlRoleUpdated';
interface ControlRoleUpdatedFrame {
  'namespace': 'control';
  'timestamp': string;
  'payload': ControlRoleUpdated;
  'additionalProperties'?: Map<string, any>;
}
export { ControlRoleUpdatedFrame };