import {BreakoutJoinedTag} from './BreakoutJoinedTag';
import {BreakoutRole} from './BreakoutRole';
import {BreakoutParticipationKind} from './BreakoutParticipationKind';
interface BreakoutJoined {
  'message': BreakoutJoinedTag;
  'breakout_room': string | null;
  'id': string;
  'display_name': string;
  'role': BreakoutRole;
  'avatar_url'?: string | null;
  'participation_kind': BreakoutParticipationKind;
  'joined_at': string;
  'left_at': string | null;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutJoined };