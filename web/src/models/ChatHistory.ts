import {ChatChatMessage} from './ChatChatMessage';
interface ChatHistory {
  'messages': ChatChatMessage[];
  'next_index'?: number | null;
  'additionalProperties'?: Map<string, any>;
}
export { ChatHistory };