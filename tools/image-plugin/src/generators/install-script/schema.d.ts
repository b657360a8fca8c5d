/** Options of the `install-script` generator (schema.json). List options: an array or a comma-separated string. */
export interface InstallScriptGeneratorSchema {
  tool: string;
  apt?: string[] | string;
  npm?: string[] | string;
  persist?: string[] | string;
  persistScope?: 'owner' | 'workspace';
  description?: string;
}
