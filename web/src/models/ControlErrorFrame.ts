import {ControlError} from './ControlError';
interface ControlErrorFrame {
  'namespace': 'control';
  'timestamp': string;
  'payload': ControlError;
  'additionalProperties'?: Map<string, any>;
}
export { ControlErrorFrame };