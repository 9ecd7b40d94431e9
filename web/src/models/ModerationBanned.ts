import {ModerationBannedTag} from './ModerationBannedTag';
interface ModerationBanned {
  'message': ModerationBannedTag;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationBanned };