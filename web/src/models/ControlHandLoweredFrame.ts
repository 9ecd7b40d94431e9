import {ControlHandLowered} from './ControlHandLowered';
interface ControlHandLoweredFrame {
  'namespace': 'control';
  'timestamp': string;
  'payload': ControlHandLowered;
  'additionalProperties'?: Map<string, any>;
}
export { ControlHandLoweredFrame };