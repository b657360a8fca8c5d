/**
 * Where BuildKit finds a symlink's target: inside the tree it was sent (the build context, or the
 * Dockerfile's folder), never on the host. An absolute target starts at that tree's root and `..`
 * stops there: in a context at /ws, `images/x/a -> /etc/hostname` is /ws/etc/hostname and
 * `images/x/b -> ../../../lib/x` is /ws/lib/x. Paths are relative to the tree's root; `.` is the root.
 */
export function scopedLinkTarget(linkPath: string, linkText: string): string {
  const parts = linkText.startsWith('/')
    ? []
    : linkPath
        .split('/')
        .slice(0, -1)
        .filter((p) => p !== '' && p !== '.');
  for (const part of linkText.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.length ? parts.join('/') : '.';
}
