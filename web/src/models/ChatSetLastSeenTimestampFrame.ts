import {ChatSetLastSeenTimestamp} from './ChatSetLastSeenTimestamp';
interface ChatSetLastSeenTimestampFrame {
  'namespace': 'chat';
  'payload': ChatSetLastSeenTimestamp;
  'additionalProperties'?: Map<string, any>;
}
export { ChatSetLastSeenTimestampFrame };