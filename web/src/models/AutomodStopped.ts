import {AutomodStoppedTag} from './AutomodStoppedTag';
import {AutomodStoppedReason} from './AutomodStoppedReason';
interface AutomodStopped {
  'message': AutomodStoppedTag;
  'reason': AutomodStoppedReason;
  'issued_by'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodStopped };