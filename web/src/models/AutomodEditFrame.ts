import {AutomodEdit} from './AutomodEdit';
interface AutomodEditFrame {
  'namespace': 'automod';
  'payload': AutomodEdit;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodEditFrame };