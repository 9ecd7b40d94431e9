import {ChatClearHistory} from './ChatClearHistory';
interface ChatClearHistoryFrame {
  'namespace': 'chat';
  'payload': ChatClearHistory;
  'additionalProperties'?: Map<string, any>;
}
export { ChatClearHistoryFrame };