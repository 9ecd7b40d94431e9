import {AutomodStopped} from './AutomodStopped';
interface AutomodStoppedFrame {
  'namespace': 'automod';
  'timestamp': string;
  'payload': AutomodStopped;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodStoppedFrame };