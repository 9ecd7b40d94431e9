import {AutomodSelectTag} from './AutomodSelectTag';
import {AutomodSelectHow} from './AutomodSelectHow';
interface AutomodSelect {
  'action': AutomodSelectTag;
  'how': AutomodSelectHow;
  'participant'?: string | null;
  'keep_in_remaining'?: boolean | null;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodSelect };