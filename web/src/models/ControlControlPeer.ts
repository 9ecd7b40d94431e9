import {ControlRole} from './ControlRole';
import {ControlControlPeerParticipationKind} from './ControlControlPeerParticipationKind';
interface ControlControlPeer {
  'display_name': string;
  'role': ControlRole;
  'avatar_url'?: string | null;
  'participation_kind': ControlControlPeerParticipationKind;
  'hand_is_up': boolean;
  'hand_updated_at': string;
  'joined_at': string;
  'left_at': string | null;
  'is_room_owner': boolean;
  'additionalProperties'?: Map<string, any>;
}
export { ControlControlPeer };