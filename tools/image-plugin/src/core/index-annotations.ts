/**
 * The index annotations of a multi-platform image, from its image config's LABELs: every
 * `org.opencontainers.image.*` label (title, description, source, licenses, ...). A registry shows a
 * multi-platform package's description only from the index (GHCR reads
 * `org.opencontainers.image.description` there), and the LABELs sit in each platform's config, out of its
 * sight. Sorted by key, so the same labels always make the same index bytes (and digest).
 */
export function indexAnnotations(labels: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const picked = Object.entries(labels ?? {})
    .filter(([key, value]) => key.startsWith('org.opencontainers.image.') && value !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(picked);
}

/** `docker buildx imagetools create` flags that put them on the index: `--annotation index:<key>=<value>`. */
export function annotationFlags(annotations: Readonly<Record<string, string>>): string[] {
  return Object.entries(annotations).flatMap(([key, value]) => ['--annotation', `index:${key}=${value}`]);
}
