import {Quotas} from './Quotas';
import {ModuleFeatures} from './ModuleFeatures';
interface Tariff {
  'id': string;
  'name': string;
  'quotas': Quotas;
  'modules': Map<string, ModuleFeatures>;
  'additionalProperties'?: Map<string, any>;
}
export { Tariff };