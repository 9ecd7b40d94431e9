
interface ModuleFeatures {
  'features'?: string[];
  'additionalProperties'?: Map<string, any>;
}
export { ModuleFeatures };