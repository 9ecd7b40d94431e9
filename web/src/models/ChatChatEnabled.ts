import {ChatChatEnabledTag} from './ChatChatEnabledTag';
interface ChatChatEnabled {
  'message': ChatChatEnabledTag;
  'issued_by': string;
  'additionalProperties'?: Map<string, any>;
}
export { ChatChatEnabled };