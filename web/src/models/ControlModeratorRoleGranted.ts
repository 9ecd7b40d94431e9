import {ControlModeratorRoleGrantedTag} from './ControlModeratorRoleGrantedTag';
interface ControlModeratorRoleGranted {
  'message': ControlModeratorRoleGrantedTag;
  'target': string;
  'additionalProperties'?: Map<string, any>;
}
export { ControlModeratorRoleGranted };