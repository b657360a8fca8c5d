import { describe, expect, it } from 'vitest';
import { ImageConfigError } from './errors';
import { graphFailure, printsPluginErrors, REFUSALS_REPORTED_ENV, refusalsIn } from './graph-refusals';

const cycle = new ImageConfigError('images form a cycle', 'break it', 'images/base/Dockerfile', 2);
const budget = new ImageConfigError('sizeBudget "lots" is not a size', 'write 700MiB', 'nx.json');
/** What the daemon sends instead of the error: its own fields, as plain data. */
const serialized = (e: ImageConfigError) => ({ ...e, name: e.name, message: e.message, stack: e.stack });

/** Nx's wrappers, shaped as nx 22 makes them (project-graph/error-types.js). */
const createNodesError = (file: string, e: unknown) =>
  Object.assign(new Error('An error occurred while processing files for the image plugin.'), {
    name: 'AggregateCreateNodesError',
    errors: [[file, e]],
  });
const dependenciesError = (e: unknown) =>
  Object.assign(new Error('The "image plugin" plugin threw an error while creating dependencies'), {
    name: 'ProcessDependenciesError',
    cause: e,
  });
const graphError = (...errors: unknown[]) =>
  Object.assign(new Error('Failed to process project graph.'), { name: 'ProjectGraphError', errors });

describe('refusalsIn: the plugin refusals inside the error Nx throws', () => {
  it.each([
    { name: 'from createNodes', error: graphError(createNodesError('images/base/Dockerfile', cycle)), count: 1 },
    { name: 'from createDependencies', error: graphError(dependenciesError(budget)), count: 1 },
    {
      name: 'both, and the same refusal twice (two plugin entries)',
      error: graphError(createNodesError('a', cycle), createNodesError('a', cycle), dependenciesError(budget)),
      count: 2,
    },
    {
      name: 'as the daemon sends them (plain objects)',
      error: serialized(graphError(createNodesError('a', serialized(cycle))) as unknown as ImageConfigError),
      count: 1,
    },
    { name: 'another plugin failed', error: graphError(createNodesError('p.json', new Error('boom'))), count: 0 },
    { name: 'not an error at all', error: 'boom', count: 0 },
  ])('$name', ({ error, count }) => {
    expect(refusalsIn(error)).toHaveLength(count);
  });
});

describe('graphFailure: what the images commands print for a failed graph', () => {
  it('one refusal: that ImageConfigError, its place and fix', () => {
    const e = graphFailure(graphError(createNodesError('images/base/Dockerfile', serialized(cycle))));
    expect(e).toBeInstanceOf(ImageConfigError);
    expect(e.message).toBe('images/base/Dockerfile:2: images form a cycle\n  fix: break it');
  });

  it('two refusals: both, one after the other', () => {
    const e = graphFailure(graphError(createNodesError('a', cycle), dependenciesError(budget)));
    expect(e.message).toBe(`${cycle.message}\n${budget.message}`);
  });

  it("another plugin's failure: Nx's line and each message", () => {
    const e = graphFailure(graphError(createNodesError('p.json', new Error('boom'))));
    expect(e.message).toBe(
      'Failed to process project graph.\n  - An error occurred while processing files for the image plugin.',
    );
  });

  it('any other error as it is', () => {
    const other = new Error('daemon gone');
    expect(graphFailure(other)).toBe(other);
  });
});

describe('printsPluginErrors: whether the running command shows the refusal without the plugin', () => {
  const nx = (...args: string[]) => ['/usr/bin/node', '/w/node_modules/nx/bin/nx.js', ...args];
  it.each([
    { argv: nx('show', 'projects'), prints: true },
    { argv: nx('graph'), prints: true },
    { argv: nx('run', 'base:image-build'), prints: true },
    { argv: nx('base:image-build'), prints: true },
    { argv: ['node', '/w/node_modules/.bin/nx', 'show', 'project', 'base'], prints: true },
    {
      argv: ['node', '/w/tools/image-plugin/bin/images.js', 'plan'],
      prints: true,
      env: { [REFUSALS_REPORTED_ENV]: '1' },
    },
    { argv: ['node', '/w/node_modules/.bin/images', 'plan'], prints: false, env: {} },
    { argv: ['node', '/w/x/plugin-worker.js'], prints: true, env: { [REFUSALS_REPORTED_ENV]: '1' } },
    { argv: nx('run-many', '-t', 'image-build'), prints: false },
    { argv: nx('affected', '-t', 'image-build'), prints: false },
    { argv: nx('exec', '--', 'ls'), prints: false },
    { argv: ['node', '/w/node_modules/nx/dist/src/project-graph/plugins/isolation/plugin-worker.js'], prints: false },
    { argv: ['node', '/w/node_modules/nx/dist/src/daemon/server/start.js'], prints: false },
  ])('$argv.2 ($argv.1): $prints', ({ argv, prints, env }) => {
    expect(printsPluginErrors(argv, env ?? {})).toBe(prints);
  });
});
