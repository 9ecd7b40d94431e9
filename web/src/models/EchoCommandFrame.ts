
interface EchoCommandFrame {
  'namespace': 'echo';
  'payload': any;
  'additionalProperties'?: Map<string, any>;
}
export { EchoCommandFrame };