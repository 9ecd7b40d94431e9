import {ControlJoinBlocked} from './ControlJoinBlocked';
interface ControlJoinBlockedFrame {
  'namespace': 'control';
  'timestamp': string;
  'payload': ControlJoinBlocked;
  'additionalProperties'?: Map<string, any>;
}
export { ControlJoinBlockedFrame };