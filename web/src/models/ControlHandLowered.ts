import {ControlHandLoweredTag} from './ControlHandLoweredTag';
interface ControlHandLowered {
  'message': ControlHandLoweredTag;
  'additionalProperties'?: Map<string, any>;
}
export { ControlHandLowered };