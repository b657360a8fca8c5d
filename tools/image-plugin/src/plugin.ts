import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CreateDependencies,
  CreateNodesContextV2,
  CreateNodesV2,
  ProjectConfiguration,
  RawProjectGraphDependency,
  TargetConfiguration,
} from '@nx/devkit';
import { minimatch } from 'minimatch';
import { readDockerfileSource } from './adapters/files';
import { defaultRepository } from './adapters/git-remote';
import { JsonCache, workspaceCache } from './adapters/json-cache';
import { assertSupportedNx } from './adapters/nx-package';
import { tellNxUser } from './adapters/nx-terminal';
import { assertFreshBuild, buildFingerprint } from './build-check';
import { DEFAULT_DOCKERFILE_GLOB, DEVCONTAINER_METADATA_FILE, TEST_SPEC_FILE, TEST_TARGET } from './core/defaults';
import { devcontainerLabel, type MetadataSource } from './core/devcontainer-metadata';
import { configurationProblem, shaLengthProblem } from './core/configuration-check';
import { readDockerfile, type DockerfileFacts } from './core/dockerfile';
import { ImageConfigError, isImageError } from './core/errors';
import { printsPluginErrors } from './core/graph-refusals';
import { levelsOf, lineageOf, parentsFrom } from './core/graph';
import { lineOfKeys } from './core/json-lines';
import { imageMetadata, imageSpecOf } from './core/image-metadata';
import { buildArgsOf, imageNameOf, readImageSpecs, type ImageSpec } from './core/image-spec';
import { parseSizeBudget, SIZE_BUDGET_OPTION } from './core/sizes';
import { parseTestSpec } from './core/test-spec';
import {
  buildTargetNameOf,
  normalizePluginOptions,
  type ImagePluginOptions,
  type NormalizedPluginOptions,
} from './options';
import { executorOf, isImagePluginEntry } from './plugin-package';

assertFreshBuild();
assertSupportedNx();
const BUILD = buildFingerprint();

// By package name, so the targets resolve in this repository (npm workspace link) and where the package is installed.
const EXECUTOR = executorOf('image-build');
const TEST_EXECUTOR = executorOf('image-test');

/**
 * The Dockerfiles the glob selects. A glob written in nx.json that selects none of the workspace's
 * Dockerfiles is a mistake (a workspace with no image yet and the default glob is not).
 */
function selectDockerfiles(
  dockerfiles: readonly string[],
  options: NormalizedPluginOptions,
  globWritten: boolean,
): string[] {
  const selected = dockerfiles.filter((f) => minimatch(f, options.dockerfileGlob, { dot: false })).sort();
  if (selected.length === 0 && dockerfiles.length > 0 && globWritten) {
    const shown = [...dockerfiles].sort().slice(0, 4).join(', ') + (dockerfiles.length > 4 ? ', ...' : '');
    throw new ImageConfigError(
      `dockerfileGlob ${options.dockerfileGlob} matches no Dockerfile (the workspace has ${shown})`,
      `write a glob that matches the images' Dockerfiles, e.g. "dockerfileGlob": "${DEFAULT_DOCKERFILE_GLOB}" (each image is <folder>/Dockerfile)`,
      'nx.json',
    );
  }
  return selected;
}

/** Reads the selected Dockerfiles into image specs, checking the graph for cycles. */
function readWorkspaceImages(
  workspaceRoot: string,
  selected: readonly string[],
  options: NormalizedPluginOptions,
  cache: JsonCache,
): ImageSpec[] {
  const specs = readImageSpecs(
    selected.map((dockerfile) => readDockerfileSource(workspaceRoot, dockerfile)),
    {
      repository: options.repository,
      layout: options.layout,
      pathExists: (p) => existsSync(join(workspaceRoot, p)),
      buildArgs: buildArgsOf(options.build),
      readFacts: (source, buildArgs) =>
        cache.read<DockerfileFacts>(
          JsonCache.key('dockerfile', BUILD, source.dockerfile, source.content, JSON.stringify(buildArgs)),
          () => readDockerfile(source.dockerfile, source.content, buildArgs),
        ),
    },
  );
  levelsOf(specs); // throws on a cycle
  return specs;
}

/**
 * Each image's `devcontainer.metadata` label from its lineage's metadata files (core/devcontainer-metadata.ts):
 * a file that is not valid JSON, or that repeats what an ancestor's says, fails the graph, before any build.
 */
function withDevcontainerLabels(
  workspaceRoot: string,
  specs: readonly ImageSpec[],
  parentsOf: ReturnType<typeof parentsFrom>,
): ImageSpec[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const sources = new Map<string, MetadataSource | null>();
  const sourceOf = (name: string): MetadataSource | null => {
    if (!sources.has(name)) {
      const file = `${(byName.get(name) as ImageSpec).root}/${DEVCONTAINER_METADATA_FILE}`;
      const path = join(workspaceRoot, file);
      sources.set(name, existsSync(path) ? { image: name, file, text: readFileSync(path, 'utf8') } : null);
    }
    return sources.get(name) ?? null;
  };
  return specs.map((spec) => {
    const label = devcontainerLabel(lineageOf(spec.name, parentsOf).map(sourceOf));
    return label ? { ...spec, devcontainerLabel: label } : spec;
  });
}

/** The git remote is read only when nx.json names no repository, and once per process. */
const remoteRepository = new Map<string, string | undefined>();
const normalize = (options: ImagePluginOptions | undefined, workspaceRoot: string) =>
  normalizePluginOptions(
    options,
    () => {
      if (!remoteRepository.has(workspaceRoot)) remoteRepository.set(workspaceRoot, defaultRepository(workspaceRoot));
      return remoteRepository.get(workspaceRoot);
    },
    (keys) => lineOfNxJson(workspaceRoot, keys),
  );

/** Read only when an option is refused: the line of the option in nx.json, in the plugin's entry. */
function lineOfNxJson(workspaceRoot: string, keys: string[]): number | undefined {
  const nxJson = join(workspaceRoot, 'nx.json');
  return existsSync(nxJson) ? lineOfKeys(readFileSync(nxJson, 'utf8'), keys, 'image-plugin') : undefined;
}

/** The line each image plugin entry of nx.json starts on (its plugin name's line), in order. */
function entryLines(workspaceRoot: string, names: readonly string[]): Array<number | undefined> {
  const nxJson = join(workspaceRoot, 'nx.json');
  const lines = existsSync(nxJson) ? readFileSync(nxJson, 'utf8').split('\n') : [];
  let at = -1;
  return names.map((name) => {
    const found = lines.findIndex((l, i) => i > at && l.includes(JSON.stringify(name)));
    if (found < 0) return undefined;
    at = found;
    return found + 1;
  });
}

/**
 * The options, normalized once per graph, and the Dockerfiles they select; the configuration is then
 * checked for meaning (core/configuration-check.ts): one refusal, with nx.json or the Dockerfile.
 */
function settleOptions(
  rawOptions: ImagePluginOptions | undefined,
  files: readonly string[],
  context: CreateNodesContextV2,
) {
  const options = normalize(rawOptions, context.workspaceRoot);
  const dockerfiles = files.filter((f) => f === 'Dockerfile' || f.endsWith('/Dockerfile'));
  const selected = selectDockerfiles(dockerfiles, options, rawOptions?.dockerfileGlob !== undefined);
  const entries = (context.nxJsonConfiguration.plugins ?? []).filter(isImagePluginEntry);
  const lines =
    entries.length > 1
      ? entryLines(
          context.workspaceRoot,
          entries.map((e) => (typeof e === 'string' ? e : e.plugin)),
        )
      : [];
  const problem = configurationProblem({
    entries: entries.map((e, i) => ({ options: typeof e === 'string' ? undefined : e.options, line: lines[i] })),
    written: rawOptions,
    options,
    images: selected.map((dockerfile) => ({ name: imageNameOf(dockerfile), dockerfile })),
    lineOf: (keys) => lineOfNxJson(context.workspaceRoot, keys),
  });
  if (problem) throw problem;
  return { options, selected };
}

/** Refusals already shown by this process (two identical plugin entries refuse alike). */
const told = new Set<string>();

/**
 * Runs a graph-time function of the plugin; a refusal is shown to the user by the plugin itself
 * unless the running command prints it (`nx show`, `images ...`): `nx run-many` and `nx affected`
 * print only Nx's summary line (docs/errors.md). Then Nx gets the refusal as before.
 */
function refusing<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (e) {
      const inDaemon = Boolean((globalThis as { NX_DAEMON?: boolean }).NX_DAEMON);
      if (isImageError(e) && !printsPluginErrors(process.argv, process.env) && (inDaemon || !told.has(e.message))) {
        told.add(e.message);
        tellNxUser(`${e.message}\n`);
      }
      throw e;
    }
  };
}

/** The inferred `image-build` target: inputs are exactly the image folder and the folders it bind-mounts. */
function imageBuildTarget(spec: ImageSpec, options: NormalizedPluginOptions): TargetConfiguration {
  const from = spec.parents.length ? ` FROM ${spec.parents.map((p) => p.image).join(', ')}` : '';
  return {
    executor: EXECUTOR,
    // `^image-build`, with the command line forwarded: `nx run leaf:image-build --push --platforms=...`
    // must build the parents with the same options (a string dependsOn would drop them).
    dependsOn: [{ dependencies: true, target: options.buildTargetName, params: 'forward' }],
    inputs: [
      '{projectRoot}/**/*',
      ...spec.mountedInputs.map((dir) => (dir === '.' ? '{workspaceRoot}/**/*' : `{workspaceRoot}/${dir}/**/*`)),
    ],
    // The registry is the cache (a content-tag lookup); Nx must never skip a build whose image is gone.
    cache: false,
    options: { ...options.build, repository: options.repository, layout: options.layout },
    metadata: { description: `Build the ${spec.name} image with BuildKit${from}`, technologies: ['docker'] },
  };
}

/** `image-test`, inferred when the image or an ancestor has a test spec: its checks and theirs run against it. */
function imageTestTarget(
  spec: ImageSpec,
  specFiles: readonly string[],
  options: NormalizedPluginOptions,
): TargetConfiguration {
  return {
    executor: TEST_EXECUTOR,
    // The build's own options stay the build's: `--filter` is image-test's and would fail image-build's schema.
    dependsOn: [{ target: options.buildTargetName, params: 'ignore' }],
    inputs: ['{projectRoot}/**/*', ...specFiles.map((f) => `{workspaceRoot}/${f}`)],
    cache: false,
    options: { resultsDir: options.resultsDir },
    metadata: { description: `Test the ${spec.name} image with ${specFiles.join(', ')}`, technologies: ['docker'] },
  };
}

export const createNodesV2: CreateNodesV2<ImagePluginOptions> = [
  // Test specs are matched too, so adding one refreshes Nx's cached inference.
  `**/{Dockerfile,${TEST_SPEC_FILE},${DEVCONTAINER_METADATA_FILE}}`,
  refusing(async (files, rawOptions, context) => {
    const { options, selected } = settleOptions(rawOptions, files, context);
    // What the plugin read from the files, kept between commands (adapters/json-cache.ts).
    const cache = workspaceCache(context.workspaceRoot, 'image-plugin-inference.json');
    const read = readWorkspaceImages(context.workspaceRoot, selected, options, cache);
    const parentsOf = parentsFrom(read);
    const specs = withDevcontainerLabels(context.workspaceRoot, read, parentsOf);
    const byName = new Map(specs.map((s) => [s.name, s]));
    const testSpecs = new Set(files.filter((f) => f === TEST_SPEC_FILE || f.endsWith(`/${TEST_SPEC_FILE}`)));
    // Every test spec is checked now (a text already found valid is not parsed again): a typo fails
    // `nx show projects` in seconds, not image-test after a build.
    for (const spec of specs) {
      const file = `${spec.root}/${TEST_SPEC_FILE}`;
      if (!testSpecs.has(file)) continue;
      const text = readFileSync(join(context.workspaceRoot, file), 'utf8');
      cache.read(JsonCache.key('test-spec', BUILD, file, text), () => parseTestSpec(file, text).length);
    }
    cache.save();
    return specs.map((spec) => {
      const specFiles = lineageOf(spec.name, parentsOf)
        .map((name) => `${(byName.get(name) as ImageSpec).root}/${TEST_SPEC_FILE}`)
        .filter((f) => testSpecs.has(f));
      const targets: Record<string, TargetConfiguration> = {
        [options.buildTargetName]: imageBuildTarget(spec, options),
      };
      if (specFiles.length) targets[TEST_TARGET] = imageTestTarget(spec, specFiles, options);
      return [
        spec.dockerfile,
        {
          projects: {
            [spec.root]: {
              name: spec.name,
              root: spec.root,
              projectType: 'application',
              tags: ['type:image'],
              targets,
              metadata: { image: imageMetadata(spec) },
            },
          },
        },
      ] as const;
    });
  }),
];

/**
 * Every image's `sizeBudget` and `shaLength` as the merged configuration has it (nx.json's build defaults, then the
 * image's project.json), checked when the graph is made: a bad value fails `nx show projects` with the
 * file that set it, before any build. The command line's value is checked by the build's settings.
 */
function checkBuildNumbers(options: ImagePluginOptions | undefined, projects: Record<string, ProjectConfiguration>) {
  const fromNxJson = options?.build?.[SIZE_BUDGET_OPTION];
  if (fromNxJson !== undefined) parseSizeBudget(fromNxJson, `nx.json (plugins[].options.build.${SIZE_BUDGET_OPTION})`);
  const targetName = buildTargetNameOf(options);
  const fromNx = { shaLength: options?.build?.shaLength, sizeBudget: fromNxJson };
  for (const [name, project] of Object.entries(projects)) {
    if (!imageSpecOf(name, project)) continue;
    for (const set of optionSetsOf(project.targets?.[targetName]))
      checkOptionSet(set, `${project.root}/project.json`, targetName, fromNx);
  }
}

/** A build target's option sets by their path in project.json: `options`, then each configuration's. */
type OptionSet = [path: string, values: Record<string, unknown> | undefined];
function optionSetsOf(target: TargetConfiguration | undefined): OptionSet[] {
  const configurations: Record<string, Record<string, unknown> | undefined> = target?.configurations ?? {};
  return [
    ['options', target?.options as Record<string, unknown> | undefined],
    ...Object.entries(configurations).map(([c, o]): OptionSet => [`configurations.${c}`, o]),
  ];
}

/** One option set's shaLength and sizeBudget; the values nx.json set (merged into `options`) were checked there. */
function checkOptionSet(
  [path, values]: OptionSet,
  file: string,
  targetName: string,
  fromNx: { shaLength: unknown; sizeBudget: unknown },
) {
  const sha = values?.shaLength;
  const refused = shaLengthProblem(
    path === 'options' && sha === fromNx.shaLength ? undefined : sha,
    `targets.${targetName}.${path}.shaLength`,
    file,
  );
  if (refused) throw refused;
  const value = values?.[SIZE_BUDGET_OPTION];
  if (value === undefined || (path === 'options' && value === fromNx.sizeBudget)) return;
  parseSizeBudget(value, `${file} (targets.${targetName}.${path}.${SIZE_BUDGET_OPTION})`);
}

/**
 * Static child -> parent edges, from the metadata createNodes stored on each image project: the
 * Dockerfiles are read once per graph, by createNodes. Checks the size budgets and SHA lengths on the way.
 */
export const createDependencies: CreateDependencies<ImagePluginOptions> = refusing((options, context) => {
  checkBuildNumbers(options, context.projects);
  return Object.entries(context.projects).flatMap(([name, project]) => {
    const spec = imageSpecOf(name, project);
    if (!spec) return [];
    return spec.parents
      .filter((parent) => parent.image in context.projects)
      .map((parent): RawProjectGraphDependency => ({
        source: spec.name,
        target: parent.image,
        type: 'static' as RawProjectGraphDependency['type'],
        sourceFile: spec.dockerfile,
      }));
  });
});

export { preTasksExecution, postTasksExecution } from './hooks';
