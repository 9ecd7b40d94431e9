import {ModerationAcceptTag} from './ModerationAcceptTag';
interface ModerationAccept {
  'action': ModerationAcceptTag;
  'target': string;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationAccept };