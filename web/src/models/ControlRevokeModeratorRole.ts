import {ControlRevokeModeratorRoleTag} from './ControlRevokeModeratorRoleTag';
interface ControlRevokeModeratorRole {
  'action': ControlRevokeModeratorRoleTag;
  'target': string;
  'additionalProperties'?: Map<string, any>;
}
export { ControlRevokeModeratorRole };