import {ChatChatDisabled} from './ChatChatDisabled';
interface ChatChatDisabledFrame {
  'namespace': 'chat';
  'timestamp': string;
  'payload': ChatChatDisabled;
  'additionalProperties'?: Map<string, any>;
}
export { ChatChatDisabledFrame };