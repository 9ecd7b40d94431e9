import {ControlLowerHandTag} from './ControlLowerHandTag';
interface ControlLowerHand {
  'action': ControlLowerHandTag;
  'additionalProperties'?: Map<string, any>;
}
export { ControlLowerHand };