import {ModerationRaisedHandResetByModerator} from './ModerationRaisedHandResetByModerator';
interface ModerationRaisedHandResetByModeratorFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationRaisedHandResetByModerator;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationRaisedHandResetByModeratorFrame };