import {ControlUpdate} from './ControlUpdate';
interface ControlUpdateFrame {
  'namespace': 'control';
  'timestamp': string;
  'payload': ControlUpdate;
  'additionalProperties'?: Map<string, any>;
}
export { ControlUpdateFrame };