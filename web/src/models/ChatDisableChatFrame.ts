import {ChatDisableChat} from './ChatDisableChat';
interface ChatDisableChatFrame {
  'namespace': 'chat';
  'payload': ChatDisableChat;
  'additionalProperties'?: Map<string, any>;
}
export { ChatDisableChatFrame };