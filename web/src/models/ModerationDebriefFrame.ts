import {ModerationDebrief} from './ModerationDebrief';
interface ModerationDebriefFrame {
  'namespace': 'moderation';
  'payload': ModerationDebrief;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationDebriefFrame };