import {AutomodStopTag} from './AutomodStopTag';
interface AutomodStop {
  'action': AutomodStopTag;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodStop };