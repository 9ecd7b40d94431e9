import {ModerationRaiseHandsDisabledTag} from './ModerationRaiseHandsDisabledTag';
interface ModerationRaiseHandsDisabled {
  'message': ModerationRaiseHandsDisabledTag;
  'issued_by': string;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationRaiseHandsDisabled };