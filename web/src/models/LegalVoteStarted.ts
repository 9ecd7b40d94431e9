import {LegalVoteStartedTag} from './LegalVoteStartedTag';
import {LegalVoteStartedKind} from './LegalVoteStartedKind';
interface LegalVoteStarted {
  'message': LegalVoteStartedTag;
  'initiator_id': string;
  'legal_vote_id': string;
  'start_time': string;
  'max_votes': number;
  'kind': LegalVoteStartedKind;
  'name': string;
  'subtitle'?: string | null;
  'topic'?: string | null;
  'allowed_participants': string[];
  'enable_abstain': boolean;
  'auto_close': boolean;
  'duration'?: number | null;
  'create_pdf': boolean;
  'timezone'?: string | null;
  'token'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteStarted };