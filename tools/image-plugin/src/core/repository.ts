/**
 * The one normal form of a repository (`ghcr.io/acme/images`): lowercased, no trailing slash.
 * Plugin options, build settings, publish and release all pass user input through it.
 */
export function normalizeRepository(repository: string): string {
  return repository.trim().toLowerCase().replace(/\/+$/, '');
}
