import {ModerationChangeDisplayName} from './ModerationChangeDisplayName';
interface ModerationChangeDisplayNameFrame {
  'namespace': 'moderation';
  'payload': ModerationChangeDisplayName;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationChangeDisplayNameFrame };