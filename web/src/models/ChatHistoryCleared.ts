import {ChatHistoryClearedTag} from './ChatHistoryClearedTag';
interface ChatHistoryCleared {
  'message': ChatHistoryClearedTag;
  'issued_by': string;
  'additionalProperties'?: Map<string, any>;
}
export { ChatHistoryCleared };