import {ChatHistory} from './ChatHistory';
import {ChatGroupHistory} from './ChatGroupHistory';
import {ChatPrivateHistory} from './ChatPrivateHistory';
interface ChatChatJoinData {
  'enabled': boolean;
  'room_history': ChatHistory;
  'groups_history': ChatGroupHistory[];
  'private_history': ChatPrivateHistory[];
  'last_seen_timestamp_global': string | null;
  'last_seen_timestamps_private': Map<string, string>;
  'last_seen_timestamps_group': Map<string, string>;
  'additionalProperties'?: Map<string, any>;
}
export { ChatChatJoinData };