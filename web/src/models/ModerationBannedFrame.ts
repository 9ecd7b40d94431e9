import {ModerationBanned} from './ModerationBanned';
interface ModerationBannedFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationBanned;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationBannedFrame };