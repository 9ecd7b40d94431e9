import {ControlJoinTag} from './ControlJoinTag';
interface ControlJoin {
  'action': ControlJoinTag;
  'display_name'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { ControlJoin };