/** Options of the `init` generator (schema.json). */
export interface InitGeneratorSchema {
  repository?: string;
  dockerfileGlob?: string;
}
