import {ControlLeft} from './ControlLeft';
interface ControlLeftFrame {
  'namespace': 'control';
  'timestamp': string;
  'payload': ControlLeft;
  'additionalProperties'?: Map<string, any>;
}
export { ControlLeftFrame };