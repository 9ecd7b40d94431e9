import {ModerationKick} from './ModerationKick';
interface ModerationKickFrame {
  'namespace': 'moderation';
  'payload': ModerationKick;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationKickFrame };