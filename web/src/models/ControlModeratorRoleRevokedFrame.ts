import {ControlModeratorRoleRevoked} from './ControlModeratorRoleRevoked';
interface ControlModeratorRoleRevokedFrame {
  'namespace': 'control';
  'timestamp': string;
  'payload': ControlModeratorRoleRevoked;
  'additionalProperties'?: Map<string, any>;
}
export { ControlModeratorRoleRevokedFrame };