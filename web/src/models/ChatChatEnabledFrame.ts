import {ChatChatEnabled} from './ChatChatEnabled';
interface ChatChatEnabledFrame {
  'namespace': 'chat';
  'timestamp': string;
  'payload': ChatChatEnabled;
  'additionalProperties'?: Map<string, any>;
}
export { ChatChatEnabledFrame };