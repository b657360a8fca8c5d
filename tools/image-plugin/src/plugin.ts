import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DependencyType,
  type CreateDependencies,
  type CreateNodesV2,
  type RawProjectGraphDependency,
  type TargetConfiguration,
} from '@nx/devkit';
import { minimatch } from 'minimatch';
import { defaultRepository } from './adapters/git-remote';
import { levelsOf } from './core/graph';
import { readImageSpecs, type ImageSpec } from './core/image-spec';
import { normalizePluginOptions, type ImagePluginOptions, type NormalizedPluginOptions } from './options';
import { executorOf } from './plugin-package';

// By package name, so the targets resolve in this repository (npm workspace link) and where the package is installed.
const EXECUTOR = executorOf('image-build');
const TEST_EXECUTOR = executorOf('image-test');
const TEST_SPEC = 'image-test.yaml';

/** Reads every Dockerfile the glob selects into image specs, checking the graph for cycles. */
export function readWorkspaceImages(workspaceRoot: string, dockerfiles: readonly string[], options: NormalizedPluginOptions): ImageSpec[] {
  const selected = dockerfiles.filter((f) => minimatch(f, options.dockerfileGlob, { dot: false })).sort();
  const specs = readImageSpecs(
    selected.map((dockerfile) => ({ dockerfile, content: readFileSync(join(workspaceRoot, dockerfile), 'utf8') })),
    { repository: options.repository, pathExists: (p) => existsSync(join(workspaceRoot, p)) },
  );
  levelsOf(specs); // throws on a cycle
  return specs;
}

const normalize = (options: ImagePluginOptions | undefined, workspaceRoot: string) =>
  normalizePluginOptions(options, () => defaultRepository(workspaceRoot));

/** The inferred `image-build` target: inputs are exactly the image folder and the folders it bind-mounts. */
export function imageBuildTarget(spec: ImageSpec, options: NormalizedPluginOptions): TargetConfiguration {
  return {
    executor: EXECUTOR,
    // `^image-build`, with the command line forwarded: `nx run leaf:image-build --push --platforms=...`
    // must build the parents with the same options (a string dependsOn would drop them).
    dependsOn: [{ dependencies: true, target: options.buildTargetName, params: 'forward' }],
    inputs: ['{projectRoot}/**/*', ...spec.mountedInputs.map((dir) => (dir === '.' ? '{workspaceRoot}/**/*' : `{workspaceRoot}/${dir}/**/*`))],
    // The registry is the cache (a content-tag lookup); Nx must never skip a build whose image is gone.
    cache: false,
    options: { ...options.build, repository: options.repository, layout: options.layout },
    metadata: {
      description: `Build the ${spec.name} image with BuildKit${spec.parents.length ? ` FROM ${spec.parents.map((p) => p.image).join(', ')}` : ''}`,
      technologies: ['docker'],
    },
  };
}

/** The image and its ancestors, root first. */
function lineage(spec: ImageSpec, byName: ReadonlyMap<string, ImageSpec>): ImageSpec[] {
  const seen: ImageSpec[] = [];
  const visit = (s: ImageSpec) => {
    s.parents.forEach((p) => visit(byName.get(p.image) as ImageSpec));
    if (!seen.includes(s)) seen.push(s);
  };
  visit(spec);
  return seen;
}

/** `image-test`, inferred when the image or an ancestor has an image-test.yaml: its checks and theirs run against it. */
export function imageTestTarget(spec: ImageSpec, specFiles: readonly string[], options: NormalizedPluginOptions): TargetConfiguration {
  return {
    executor: TEST_EXECUTOR,
    // The build's own options stay the build's: `--filter` is image-test's and would fail image-build's schema.
    dependsOn: [{ target: options.buildTargetName, params: 'ignore' }],
    inputs: ['{projectRoot}/**/*', ...specFiles.map((f) => `{workspaceRoot}/${f}`)],
    cache: false,
    options: { resultsDir: String(options.build.resultsDir ?? 'dist/images') },
    metadata: { description: `Test the ${spec.name} image with ${specFiles.join(', ')}`, technologies: ['docker'] },
  };
}

export const createNodesV2: CreateNodesV2<ImagePluginOptions> = [
  // Test specs are matched too, so adding one refreshes Nx's cached inference.
  `**/{Dockerfile,${TEST_SPEC}}`,
  async (files, rawOptions, context) => {
    const options = normalize(rawOptions, context.workspaceRoot);
    const dockerfiles = files.filter((f) => f === 'Dockerfile' || f.endsWith('/Dockerfile'));
    const specs = readWorkspaceImages(context.workspaceRoot, dockerfiles, options);
    const byName = new Map(specs.map((s) => [s.name, s]));
    const specFilesOf = (spec: ImageSpec) =>
      lineage(spec, byName)
        .map((s) => `${s.root}/${TEST_SPEC}`)
        .filter((f) => existsSync(join(context.workspaceRoot, f)));
    return specs.map((spec) => [
      spec.dockerfile,
      {
        projects: {
          [spec.root]: {
            name: spec.name,
            root: spec.root,
            projectType: 'application',
            tags: ['type:image'],
            targets: {
              [options.buildTargetName]: imageBuildTarget(spec, options),
              ...(specFilesOf(spec).length ? { 'image-test': imageTestTarget(spec, specFilesOf(spec), options) } : {}),
            },
            metadata: {
              image: {
                dockerfile: spec.dockerfile,
                parents: spec.parents,
                externalBases: spec.externalBases,
                mountedInputs: spec.mountedInputs,
              },
            },
          },
        },
      },
    ]);
  },
];

/** Static parent -> child edges, read from the Dockerfiles (the child depends on its parent). */
export const createDependencies: CreateDependencies<ImagePluginOptions> = (rawOptions, context) => {
  const options = normalize(rawOptions, context.workspaceRoot);
  const dockerfiles = Object.values(context.projects)
    .map((p) => `${p.root}/Dockerfile`)
    .filter((f) => existsSync(join(context.workspaceRoot, f)));
  const specs = readWorkspaceImages(context.workspaceRoot, dockerfiles, options);
  return specs.flatMap((spec) =>
    spec.parents.map(
      (parent): RawProjectGraphDependency => ({
        source: spec.name,
        target: parent.image,
        type: DependencyType.static,
        sourceFile: spec.dockerfile,
      }),
    ),
  );
};

export { preTasksExecution, postTasksExecution } from './hooks';
