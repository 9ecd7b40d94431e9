import {ModerationAcceptedTag} from './ModerationAcceptedTag';
interface ModerationAccepted {
  'message': ModerationAcceptedTag;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationAccepted };