// Types of oci-diff.mjs for the TypeScript tests that use it (test/reproducible.test.ts).
export interface FileDifference {
  path: string;
  only?: 'a' | 'b';
  fields?: Array<{ field: string; a: unknown; b: unknown }>;
}
export interface Comparison {
  a: string;
  b: string;
  same: boolean;
  config: Array<{ path: string; a: unknown; b: unknown }>;
  layers: Array<{ index: number; a: string | null; b: string | null; createdBy: string; files: FileDifference[] }>;
}
export function compareOci(tarA: string, tarB: string, platform: string): Promise<Comparison>;
export function describeComparison(c: Comparison, limit?: number): string[];
