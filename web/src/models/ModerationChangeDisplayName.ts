import {ModerationChangeDisplayNameTag} from './ModerationChangeDisplayNameTag';
interface ModerationChangeDisplayName {
  'action': ModerationChangeDisplayNameTag;
  'target': string;
  'new_name': string;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationChangeDisplayName };