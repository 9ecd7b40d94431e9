import {AutomodStartedTag} from './AutomodStartedTag';
import {AutomodSelectionStrategy} from './AutomodSelectionStrategy';
interface AutomodStarted {
  'message': AutomodStartedTag;
  'selection_strategy': AutomodSelectionStrategy;
  'show_list': boolean;
  'consider_hand_raise': boolean;
  'time_limit'?: number | null;
  'allow_double_selection': boolean;
  'animation_on_random': boolean;
  'auto_append_on_join': boolean;
  'history': string[];
  'remaining': string[];
  'issued_by': string;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodStarted };