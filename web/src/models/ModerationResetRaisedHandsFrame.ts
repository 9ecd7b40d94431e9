import {ModerationResetRaisedHands} from './ModerationResetRaisedHands';
interface ModerationResetRaisedHandsFrame {
  'namespace': 'moderation';
  'payload': ModerationResetRaisedHands;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationResetRaisedHandsFrame };