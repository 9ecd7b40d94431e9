import {AutomodSelect} from './AutomodSelect';
interface AutomodSelectFrame {
  'namespace': 'automod';
  'payload': AutomodSelect;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodSelectFrame };