import {ChatMessageSentTag} from './ChatMessageSentTag';
import {ChatScope} from './ChatScope';
interface ChatMessageSent {
  'message': ChatMessageSentTag;
  'id': string;
  'source': string;
  'content': string;
  'scope': ChatScope;
  'target'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { ChatMessageSent };