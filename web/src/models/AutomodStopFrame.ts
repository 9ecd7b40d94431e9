import {AutomodStop} from './AutomodStop';
interface AutomodStopFrame {
  'namespace': 'automod';
  'payload': AutomodStop;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodStopFrame };