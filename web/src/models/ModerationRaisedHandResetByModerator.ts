import {ModerationRaisedHandResetByModeratorTag} from './ModerationRaisedHandResetByModeratorTag';
interface ModerationRaisedHandResetByModerator {
  'message': ModerationRaisedHandResetByModeratorTag;
  'issued_by': string;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationRaisedHandResetByModerator };