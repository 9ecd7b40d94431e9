import {AutomodRemainingUpdatedTag} from './AutomodRemainingUpdatedTag';
interface AutomodRemainingUpdated {
  'message': AutomodRemainingUpdatedTag;
  'remaining': string[];
  'additionalProperties'?: Map<string, any>;
}
export { AutomodRemainingUpdated };