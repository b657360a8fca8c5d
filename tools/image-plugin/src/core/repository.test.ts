import { describe, expect, it } from 'vitest';
import { normalizeRepository, repositoryProblem } from './repository';

describe('normalizeRepository', () => {
  it.each([
    ['ghcr.io/acme/images', 'ghcr.io/acme/images'],
    ['GHCR.io/Acme/Workspace-Images', 'ghcr.io/acme/workspace-images'],
    ['ghcr.io/acme/images/', 'ghcr.io/acme/images'],
    ['ghcr.io/acme/images//', 'ghcr.io/acme/images'],
    ['  127.0.0.1:5000/ci/images ', '127.0.0.1:5000/ci/images'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeRepository(input)).toBe(expected);
  });
});

describe('repositoryProblem: a repository a user wrote, by the grammar of Docker references', () => {
  it.each([
    ['ghcr.io/', '"ghcr.io/" has no owner and name', 'ghcr.io/<owner>/<repo>'],
    ['ghcr.io', '"ghcr.io" names no owner', 'ghcr.io/<owner>/<repo>'],
    ['images', '"images" names no owner', 'ghcr.io/<owner>/images'],
    ['ghcr.io/Acme/images', '"ghcr.io/Acme/images" must be lower case', 'write ghcr.io/acme/images'],
    ['acme images', '"acme images" is not a repository name', 'without spaces'],
    ['ghcr.io/acme/images:latest', 'is not a repository name', 'a tag or a digest'],
    ['ghcr.io//images', 'has an empty part', 'one / between'],
    ['ghcr.io/acme/images/', '"ghcr.io/acme/images/" ends with a slash', 'write ghcr.io/acme/images'],
    ['ghcr.io/Acme/Images//', 'ends with a slash and must be lower case', 'write ghcr.io/acme/images'],
    ['ghcr.io/acme/-images', 'is not a repository name', 'lower-case letters, digits'],
    ['', 'is empty', 'ghcr.io/<owner>/<repo>'],
  ])('%j is refused', (repository, problem, fix) => {
    const found = repositoryProblem(repository);
    expect(found?.problem).toContain(problem);
    expect(found?.fix).toContain(fix);
  });

  it.each([
    'ghcr.io/acme/images',
    '127.0.0.1:5000/ci/images',
    'localhost:5000/images',
    'acme/images',
    'ghcr.io/a-b/c_d.e',
  ])('%s is a repository', (repository) => {
    expect(repositoryProblem(repository)).toBeUndefined();
  });
});
