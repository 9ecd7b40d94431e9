import {ModerationBan} from './ModerationBan';
interface ModerationBanFrame {
  'namespace': 'moderation';
  'payload': ModerationBan;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationBanFrame };