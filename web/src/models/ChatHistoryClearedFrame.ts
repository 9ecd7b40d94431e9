import {ChatHistoryCleared} from './ChatHistoryCleared';
interface ChatHistoryClearedFrame {
  'namespace': 'chat';
  'timestamp': string;
  'payload': ChatHistoryCleared;
  'additionalProperties'?: Map<string, any>;
}
export { ChatHistoryClearedFrame };