import {AutomodStarted} from './AutomodStarted';
interface AutomodStartedFrame {
  'namespace': 'automod';
  'timestamp': string;
  'payload': AutomodStarted;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodStartedFrame };