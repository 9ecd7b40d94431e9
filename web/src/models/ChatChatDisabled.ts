import {ChatChatDisabledTag} from './ChatChatDisabledTag';
interface ChatChatDisabled {
  'message': ChatChatDisabledTag;
  'issued_by': string;
  'additionalProperties'?: Map<string, any>;
}
export { ChatChatDisabled };