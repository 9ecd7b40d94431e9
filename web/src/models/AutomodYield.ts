import {AutomodYieldTag} from './AutomodYieldTag';
interface AutomodYield {
  'action': AutomodYieldTag;
  'next'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodYield };