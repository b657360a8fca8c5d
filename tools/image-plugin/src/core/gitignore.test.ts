import { describe, expect, it } from 'vitest';
import { ignores, IGNORED_BY_INIT, missingIgnores, withIgnores } from './gitignore';

describe('whether a .gitignore line ignores a path', () => {
  it.each([
    ['dist', 'dist/', true],
    ['/dist/', 'dist/', true],
    ['dist/**', 'dist/', true],
    ['  dist/  ', 'dist/', true],
    ['.nx', '.nx/cache', true],
    ['.nx/', '.nx/workspace-data', true],
    ['/.nx/cache/', '.nx/cache', true],
    ['dist/images', 'dist/', false],
    ['distribution', 'dist/', false],
    ['.nx/cache', '.nx/workspace-data', false],
    ['# dist', 'dist/', false],
    ['!dist', 'dist/', false],
    ['', 'dist/', false],
    ['/', 'dist/', false],
  ])('%j ignores %j: %s', (line, wanted, expected) => {
    expect(ignores(line, wanted)).toBe(expected);
  });
});

describe('the lines init adds to .gitignore', () => {
  it.each([
    ['no file', undefined, [...IGNORED_BY_INIT], 'dist/\n.nx/cache\n.nx/workspace-data\n'],
    ['an empty file', '', [...IGNORED_BY_INIT], 'dist/\n.nx/cache\n.nx/workspace-data\n'],
    [
      'a file without a last newline',
      'node_modules',
      [...IGNORED_BY_INIT],
      'node_modules\ndist/\n.nx/cache\n.nx/workspace-data\n',
    ],
    [
      'what `nx init` wrote',
      'node_modules\n.nx/cache\n.nx/workspace-data\n',
      ['dist/'],
      'node_modules\n.nx/cache\n.nx/workspace-data\ndist/\n',
    ],
    ['a parent folder and another spelling', '/dist\n.nx/\n', [], '/dist\n.nx/\n'],
    ['CRLF line ends', 'dist\r\n.nx\r\n', [], 'dist\r\n.nx\r\n'],
  ])('%s', (_case, text, missing, after) => {
    expect(missingIgnores(text ?? '', IGNORED_BY_INIT)).toEqual(missing);
    expect(withIgnores(text, missing)).toBe(after);
  });
});
