/** Options of the `image` generator (schema.json). */
export interface ImageGeneratorSchema {
  name: string;
  parent?: string;
  /** An array, or a comma-separated string from the command line. */
  scripts?: string[] | string;
  base?: string;
  description?: string;
}
