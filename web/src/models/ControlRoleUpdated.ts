import {ControlRoleUpdatedTag} from './ControlRoleUpdatedTag';
import {ControlRoleUpdatedNewRole} from './ControlRoleUpdatedNewRole';
interface ControlRoleUpdated {
  'message': ControlRoleUpdatedTag;
  'new_role': ControlRoleUpdatedNewRole;
  'additionalProperties'?: Map<string, any>;
}
export { ControlRoleUpdated };