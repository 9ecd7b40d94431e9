import {ChatSendMessage} from './ChatSendMessage';
interface ChatSendMessageFrame {
  'namespace': 'chat';
  'payload': ChatSendMessage;
  'additionalProperties'?: Map<string, any>;
}
export { ChatSendMessageFrame };