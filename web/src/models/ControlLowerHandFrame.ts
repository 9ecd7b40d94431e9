import {ControlLowerHand} from './ControlLowerHand';
interface ControlLowerHandFrame {
  'namespace': 'control';
  'payload': ControlLowerHand;
  'additionalProperties'?: Map<string, any>;
}
export { ControlLowerHandFrame };