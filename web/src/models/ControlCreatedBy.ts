
interface ControlCreatedBy {
  'title': string;
  'firstname': string;
  'lastname': string;
  'display_name': string;
  'avatar_url'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { ControlCreatedBy };