import {ModerationRaiseHandsEnabledTag} from './ModerationRaiseHandsEnabledTag';
interface ModerationRaiseHandsEnabled {
  'message': ModerationRaiseHandsEnabledTag;
  'issued_by': string;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationRaiseHandsEnabled };