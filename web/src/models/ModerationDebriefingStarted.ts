import {ModerationDebriefingStartedTag} from './ModerationDebriefingStartedTag';
interface ModerationDebriefingStarted {
  'message': ModerationDebriefingStartedTag;
  'issued_by': string;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationDebriefingStarted };