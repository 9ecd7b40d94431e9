import {ChatEnableChat} from './ChatEnableChat';
interface ChatEnableChatFrame {
  'namespace': 'chat';
  'payload': ChatEnableChat;
  'additionalProperties'?: Map<string, any>;
}
export { ChatEnableChatFrame };