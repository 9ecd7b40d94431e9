import {ControlRaiseHandTag} from './ControlRaiseHandTag';
interface ControlRaiseHand {
  'action': ControlRaiseHandTag;
  'additionalProperties'?: Map<string, any>;
}
export { ControlRaiseHand };