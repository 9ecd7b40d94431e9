import {AutomodConfig} from './AutomodConfig';
interface AutomodJoinData {
  'config': AutomodConfig;
  'speaker': string | null;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodJoinData };