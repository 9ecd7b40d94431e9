import {AutomodStart} from './AutomodStart';
interface AutomodStartFrame {
  'namespace': 'automod';
  'payload': AutomodStart;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodStartFrame };