import { describe, expect, it } from 'vitest';
import { scopedLinkTarget } from './symlinks';

describe('scopedLinkTarget: a link resolved inside its tree, as BuildKit does', () => {
  it.each([
    ['scripts/t/install.sh', '../../lib/real.sh', 'lib/real.sh'],
    ['scripts/t/install.sh', 'real.sh', 'scripts/t/real.sh'],
    ['scripts/t/abs', '/etc/hostname', 'etc/hostname'],
    ['scripts/t/up', '../../../../lib/x', 'lib/x'],
    ['Dockerfile', 'sub/D', 'sub/D'],
    ['Dockerfile', '../x/sub/D', 'x/sub/D'],
    ['Dockerfile', '/tmp/elsewhere/Dockerfile', 'tmp/elsewhere/Dockerfile'],
    ['a/root', '/', '.'],
    ['a/b', './c/./d/', 'a/c/d'],
  ])('%s -> %s is %s', (linkPath, linkText, expected) => {
    expect(scopedLinkTarget(linkPath, linkText)).toBe(expected);
  });
});
