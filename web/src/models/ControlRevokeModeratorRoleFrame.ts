import {ControlRevokeModeratorRole} from './ControlRevokeModeratorRole';
interface ControlRevokeModeratorRoleFrame {
  'namespace': 'control';
  'payload': ControlRevokeModeratorRole;
  'additionalProperties'?: Map<string, any>;
}
export { ControlRevokeModeratorRoleFrame };