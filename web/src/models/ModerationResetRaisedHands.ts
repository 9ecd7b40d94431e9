import {ModerationResetRaisedHandsTag} from './ModerationResetRaisedHandsTag';
interface ModerationResetRaisedHands {
  'action': ModerationResetRaisedHandsTag;
  'target'?: string | string[] | null;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationResetRaisedHands };