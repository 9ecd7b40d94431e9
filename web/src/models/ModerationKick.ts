import {ModerationKickTag} from './ModerationKickTag';
interface ModerationKick {
  'action': ModerationKickTag;
  'target': string;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationKick };