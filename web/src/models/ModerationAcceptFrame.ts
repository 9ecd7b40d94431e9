import {ModerationAccept} from './ModerationAccept';
interface ModerationAcceptFrame {
  'namespace': 'moderation';
  'payload': ModerationAccept;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationAcceptFrame };