import {ChatSetLastSeenTimestampTag} from './ChatSetLastSeenTimestampTag';
import {ChatScope} from './ChatScope';
interface ChatSetLastSeenTimestamp {
  'action': ChatSetLastSeenTimestampTag;
  'timestamp': string;
  'scope': ChatScope;
  'target'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { ChatSetLastSeenTimestamp };