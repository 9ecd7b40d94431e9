import {ControlHandRaised} from './ControlHandRaised';
interface ControlHandRaisedFrame {
  'namespace': 'control';
  'timestamp': string;
  'payload': ControlHandRaised;
  'additionalProperties'?: Map<string, any>;
}
export { ControlHandRaisedFrame };