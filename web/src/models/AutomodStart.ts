import {AutomodStartTag} from './AutomodStartTag';
import {AutomodSelectionStrategy} from './AutomodSelectionStrategy';
interface AutomodStart {
  'action': AutomodStartTag;
  'selection_strategy': AutomodSelectionStrategy;
  'show_list': boolean;
  'consider_hand_raise': boolean;
  'time_limit'?: number | null;
  'allow_double_selection': boolean;
  'animation_on_random': boolean;
  'auto_append_on_join': boolean;
  'allow_list'?: string[] | null;
  'playlist'?: string[] | null;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodStart };