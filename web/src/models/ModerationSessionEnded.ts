import {ModerationSessionEndedTag} from './ModerationSessionEndedTag';
interface ModerationSessionEnded {
  'message': ModerationSessionEndedTag;
  'issued_by': string;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationSessionEnded };