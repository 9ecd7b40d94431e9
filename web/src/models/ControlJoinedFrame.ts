import {ControlJoined} from './ControlJoined';
interface ControlJoinedFrame {
  'namespace': 'control';
  'timestamp': string;
  'payload': ControlJoined;
  'additionalProperties'?: Map<string, any>;
}
export { ControlJoinedFrame };