import {ModerationKicked} from './ModerationKicked';
interface ModerationKickedFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationKicked;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationKickedFrame };