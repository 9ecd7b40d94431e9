import {ControlJoin} from './ControlJoin';
interface ControlJoinFrame {
  'namespace': 'control';
  'payload': ControlJoin;
  'additionalProperties'?: Map<string, any>;
}
export { ControlJoinFrame };