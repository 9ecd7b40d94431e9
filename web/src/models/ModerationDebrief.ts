import {ModerationDebriefTag} from './ModerationDebriefTag';
import {ModerationDebriefKickScope} from './ModerationDebriefKickScope';
interface ModerationDebrief {
  'action': ModerationDebriefTag;
  'kick_scope': ModerationDebriefKickScope;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationDebrief };