import {ControlModeratorRoleGranted} from './ControlModeratorRoleGranted';
interface ControlModeratorRoleGrantedFrame {
  'namespace': 'control';
  'timestamp': string;
  'payload': ControlModeratorRoleGranted;
  'additionalProperties'?: Map<string, any>;
}
export { ControlModeratorRoleGrantedFrame };