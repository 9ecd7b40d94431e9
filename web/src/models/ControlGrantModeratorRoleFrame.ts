import {ControlGrantModeratorRole} from './ControlGrantModeratorRole';
interface ControlGrantModeratorRoleFrame {
  'namespace': 'control';
  'payload': ControlGrantModeratorRole;
  'additionalProperties'?: Map<string, any>;
}
export { ControlGrantModeratorRoleFrame };