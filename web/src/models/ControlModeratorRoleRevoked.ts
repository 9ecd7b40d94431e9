import {ControlModeratorRoleRevokedTag} from './ControlModeratorRoleRevokedTag';
interface ControlModeratorRoleRevoked {
  'message': ControlModeratorRoleRevokedTag;
  'target': string;
  'additionalProperties'?: Map<string, any>;
}
export { ControlModeratorRoleRevoked };