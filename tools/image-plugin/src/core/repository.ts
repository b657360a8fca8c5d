/**
 * The one normal form of a repository (`ghcr.io/acme/images`): lowercased, no trailing slash.
 * Plugin options, build settings, publish and release all pass user input through it.
 */
export function normalizeRepository(repository: string): string {
  return repository.trim().toLowerCase().replace(/\/+$/, '');
}

const HOST =
  /^(localhost|[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)+|\[[0-9a-fA-F:]+\])(:[0-9]+)?$|^[a-zA-Z0-9-]+:[0-9]+$/;
/** Docker's rule for one path component of a repository name (the distribution reference grammar). */
export const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/**
 * What is wrong with a repository a user wrote (`ghcr.io/acme/images`), by the grammar Docker's
 * references use: `[registry/]owner[/...]/name`, lower case after the registry; undefined when it is
 * good. Defaults from GITHUB_REPOSITORY or the origin remote are lowercased instead (normalizeRepository).
 */
export function repositoryProblem(repository: string): { problem: string; fix: string } | undefined {
  const example = 'write it as <registry>/<owner>/<name>, e.g. ghcr.io/<owner>/<repo>';
  if (repository.trim() === '') return { problem: 'is empty', fix: example };
  if (/\s/.test(repository) || /[:@]/.test(repository.slice(repository.lastIndexOf('/') + 1))) {
    return {
      problem: `"${repository}" is not a repository name`,
      fix: `${example}, without spaces, a tag or a digest`,
    };
  }
  const parts = repository.replace(/\/+$/, '').split('/');
  const isHost = (part: string) => HOST.test(part) && /[.:]|^localhost$/.test(part);
  const hasHost = parts.length > 1 && isHost(parts[0]);
  const host = hasHost ? parts[0] : undefined;
  const path = hasHost ? parts.slice(1) : parts;
  if (parts.length === 1 && isHost(parts[0])) {
    return repository.endsWith('/')
      ? { problem: `"${repository}" has no owner and name`, fix: `${parts[0]}/<owner>/<repo>` }
      : { problem: `"${repository}" names no owner`, fix: `${repository}/<owner>/<repo>` };
  }
  if (repository.endsWith('/')) {
    const fixed = normalizeRepository(repository);
    const capitals = fixed !== repository.trim().replace(/\/+$/, '') ? ' and must be lower case' : '';
    return { problem: `"${repository}" ends with a slash${capitals}`, fix: `write ${fixed}` };
  }
  if (path.some((p) => p === '')) {
    return { problem: `"${repository}" has an empty part`, fix: `${example}, with one / between the parts` };
  }
  const lower = [host, ...path.map((p) => p.toLowerCase())].filter(Boolean).join('/');
  if (path.some((p) => p !== p.toLowerCase()) && path.every((p) => PATH_COMPONENT.test(p.toLowerCase()))) {
    return { problem: `"${repository}" must be lower case`, fix: `write ${lower}` };
  }
  if (!path.every((p) => PATH_COMPONENT.test(p))) {
    return {
      problem: `"${repository}" is not a repository name`,
      fix: `${example}: lower-case letters, digits and . _ - between them`,
    };
  }
  if (!host && path.length < 2)
    return { problem: `"${repository}" names no owner`, fix: `ghcr.io/<owner>/${repository}` };
  return undefined;
}
