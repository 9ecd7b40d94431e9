import {AutomodEditTag} from './AutomodEditTag';
interface AutomodEdit {
  'action': AutomodEditTag;
  'allow_list'?: string[] | null;
  'playlist'?: string[] | null;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodEdit };