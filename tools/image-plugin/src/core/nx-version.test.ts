import { describe, expect, it } from 'vitest';
import { nxVersionProblem } from './nx-version';

const RANGE = '^22.7.12 || ^23.0.0 || ^24.0.0';

describe('nxVersionProblem: the workspace nx against the plugin peer range', () => {
  it.each(['22.7.12', '22.9.0', '23.3.2', '24.0.7', '24.1.0-beta.1'])('nx %s is supported', (version) => {
    expect(nxVersionProblem(version, RANGE)).toBeUndefined();
  });

  it.each([
    [
      '21.6.11',
      'this workspace has nx 21.6.11, outside the range the image plugin supports (^22.7.12 || ^23.0.0 || ^24.0.0)',
    ],
    ['22.7.11', 'this workspace has nx 22.7.11, outside the range'],
    ['25.0.0', 'this workspace has nx 25.0.0, outside the range'],
  ])('nx %s is refused, with the newest supported major as the fix', (version, problem) => {
    const found = nxVersionProblem(version, RANGE);
    expect(found?.problem).toContain(problem);
    expect(found?.fix).toBe('npm install --save-dev nx@24 (or another version in the range), then run again');
  });

  it('says nothing when there is no nx to compare or the range is not one', () => {
    expect(nxVersionProblem(undefined, RANGE)).toBeUndefined();
    expect(nxVersionProblem('21.0.0', 'not a range')).toBeUndefined();
  });
});
