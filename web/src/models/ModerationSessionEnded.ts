import {ModerationSessionEndedTag} from './ModerationSessionEndedTag';
interface ModerationSessionEnded {
  'message': ModerationSessionEndedTag;
  'issued_by': string | null;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationSessionEnded };