import {ModerationBanTag} from './ModerationBanTag';
interface ModerationBan {
  'action': ModerationBanTag;
  'target': string;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationBan };