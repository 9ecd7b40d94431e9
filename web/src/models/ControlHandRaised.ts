import {ControlHandRaisedTag} from './ControlHandRaisedTag';
interface ControlHandRaised {
  'message': ControlHandRaisedTag;
  'additionalProperties'?: Map<string, any>;
}
export { ControlHandRaised };