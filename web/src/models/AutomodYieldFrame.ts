import {AutomodYield} from './AutomodYield';
interface AutomodYieldFrame {
  'namespace': 'automod';
  'payload': AutomodYield;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodYieldFrame };