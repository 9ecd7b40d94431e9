
interface EchoEventFrame {
  'namespace': 'echo';
  'timestamp': string;
  'payload': any;
  'additionalProperties'?: Map<string, any>;
}
export { EchoEventFrame };