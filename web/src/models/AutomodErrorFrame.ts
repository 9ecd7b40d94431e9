import {AutomodError} from './AutomodError';
interface AutomodErrorFrame {
  'namespace': 'automod';
  'timestamp': string;
  'payload': AutomodError;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodErrorFrame };