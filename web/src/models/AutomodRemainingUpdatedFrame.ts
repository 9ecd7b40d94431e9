import {AutomodRemainingUpdated} from './AutomodRemainingUpdated';
interface AutomodRemainingUpdatedFrame {
  'namespace': 'automod';
  'timestamp': string;
  'payload': AutomodRemainingUpdated;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodRemainingUpdatedFrame };