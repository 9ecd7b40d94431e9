import {ControlJoinSuccess} from './ControlJoinSuccess';
interface ControlJoinSuccessFrame {
  'namespace': 'control';
  'timestamp': string;
  'payload': ControlJoinSuccess;
  'additionalProperties'?: Map<string, any>;
}
export { ControlJoinSuccessFrame };