import {ControlGrantModeratorRoleTag} from './ControlGrantModeratorRoleTag';
interface ControlGrantModeratorRole {
  'action': ControlGrantModeratorRoleTag;
  'target': string;
  'additionalProperties'?: Map<string, any>;
}
export { ControlGrantModeratorRole };