import {ControlRaiseHand} from './ControlRaiseHand';
interface ControlRaiseHandFrame {
  'namespace': 'control';
  'payload': ControlRaiseHand;
  'additionalProperties'?: Map<string, any>;
}
export { ControlRaiseHandFrame };