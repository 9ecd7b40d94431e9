import {ModerationKickedTag} from './ModerationKickedTag';
interface ModerationKicked {
  'message': ModerationKickedTag;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationKicked };