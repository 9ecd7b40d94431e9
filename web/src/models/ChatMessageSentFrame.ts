import {ChatMessageSent} from './ChatMessageSent';
interface ChatMessageSentFrame {
  'namespace': 'chat';
  'timestamp': string;
  'payload': ChatMessageSent;
  'additionalProperties'?: Map<string, any>;
}
export { ChatMessageSentFrame };