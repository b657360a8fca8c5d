import { CONTENT_HASH_LENGTH } from './content-hash';
import { DEFAULT_CI_PLATFORMS, SHA_LENGTH, TEST_TARGET } from './defaults';
import { ImageConfigError } from './errors';
import { platformList } from './platforms';
import { releaseTags, readReleaseTag, type ReleaseVersion } from './release-tags';
import { PATH_COMPONENT } from './repository';
import {
  cacheTag,
  contentTag,
  edgeTag,
  floatingTag,
  isTagOf,
  platformTag,
  revisionTag,
  shaTag,
  TAG_GRAMMAR,
  tagOf,
  type Layout,
} from './tags';

/**
 * What the configuration means, checked once when the graph is made, after each option was found
 * well-typed (options.ts): one image plugin entry in nx.json, target names that differ, numbers in
 * their bounds, image names that can be tags, and no image writing another image's tags.
 */
export interface ConfigurationFacts {
  /** The options of every image plugin entry of nx.json, in order, with the line the entry starts on. */
  entries: ReadonlyArray<{ options: unknown; line?: number }>;
  /** This entry's options as nx.json writes them: the entries that differ from the first one refuse. */
  written: unknown;
  /** This entry's options, normalized. */
  options: { layout: Layout; buildTargetName: string; build: Readonly<Record<string, unknown>> };
  /** Every image the glob selects: its name (its folder's) and its Dockerfile. */
  images: ReadonlyArray<{ name: string; dockerfile: string }>;
  /** The line of an option of this entry in nx.json (`["build", "shaLength"]`), when it can be found. */
  lineOf?: (keys: string[]) => number | undefined;
}

/** The first thing the configuration gets wrong, as the one error to show; undefined when it is good. */
export function configurationProblem(facts: ConfigurationFacts): ImageConfigError | undefined {
  return (
    entriesProblem(facts) ??
    targetNameProblem(facts) ??
    numberProblem(facts) ??
    imageNameProblem(facts) ??
    tagCollision(facts)
  );
}

/** JSON with its keys sorted, so two entries written in another order are the same options. */
const canonical = (value: unknown): string =>
  JSON.stringify(value ?? {}, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

/** Two entries with different options: image-build would use one, publish and release the other. */
function entriesProblem({ entries, written }: ConfigurationFacts): ImageConfigError | undefined {
  const first = canonical(entries[0]?.options);
  const other = entries.findIndex((e) => canonical(e.options) !== first);
  if (other < 0 || canonical(written) === first) return undefined;
  const lines = entries.map((e, i) => (e.line ? `line ${e.line}` : `entry ${i + 1}`)).join(' and ');
  return new ImageConfigError(
    `nx.json has ${entries.length} image plugin entries (${lines}) with different options: each entry infers the ` +
      'targets again with its own options, so image-build would build with one and publish and release read another',
    'keep one image plugin entry in nx.json "plugins": merge the options you want into it and delete the others',
    'nx.json',
    entries[other].line,
  );
}

/** The plugin's targets by name; two of one name would be one target in Nx. */
function targetNameProblem({ options, lineOf }: ConfigurationFacts): ImageConfigError | undefined {
  const name = options.buildTargetName;
  const where = 'plugins[image-plugin].options.buildTargetName';
  const problem =
    name.trim() === ''
      ? 'is empty'
      : name.includes(':')
        ? `"${name}" has a ":", which Nx reads as <project>:<target>`
        : name === TEST_TARGET
          ? `"${name}" is also the name of the plugin's test target (${TEST_TARGET})`
          : undefined;
  if (!problem) return undefined;
  return new ImageConfigError(
    `${where} ${problem}`,
    `give the build target a name of its own without ":", e.g. "image-build" (the default), or leave buildTargetName out`,
    'nx.json',
    lineOf?.(['buildTargetName']),
  );
}

/** Numbers in their bounds (their type was checked with the schema). */
function numberProblem({ options, lineOf }: ConfigurationFacts): ImageConfigError | undefined {
  const name = 'plugins[image-plugin].options.build.shaLength';
  return shaLengthProblem(options.build.shaLength, name, 'nx.json', lineOf?.(['build', 'shaLength']));
}

/**
 * A shaLength as nx.json or a project.json writes it: a whole number within SHA_LENGTH's bounds, not
 * text (`"abc"`, `"12"`); `name` says where it is written. Undefined when it is good or not set.
 */
export function shaLengthProblem(
  value: unknown,
  name: string,
  file: string,
  line?: number,
): ImageConfigError | undefined {
  const { min, max } = SHA_LENGTH;
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return undefined;
  return new ImageConfigError(
    `${name} ${JSON.stringify(value)} is not a whole number from ${min} to ${max}`,
    `write shaLength as a number from ${min} to ${max}, e.g. ${SHA_LENGTH.default}`,
    file,
    line,
  );
}

const SAMPLE_SHA = '0123456789abcdef0123456789abcdef01234567';
const SAMPLE_RELEASES = ['v1.2.3', 'v1.3.0-rc.1', 'v1.2.3+build.5'].map((t) => readReleaseTag(t) as ReleaseVersion);

/**
 * Every kind of tag the layout writes for the image (the tag only, without repository), with sample
 * values for the commit, the content hash and the releases, by the same functions the commands use.
 */
export function tagsOfImage(image: string, layout: Layout, build: Readonly<Record<string, unknown>>): string[] {
  const repository = 'registry.invalid/owner/name';
  const shaLength = typeof build.shaLength === 'number' ? build.shaLength : SHA_LENGTH.default;
  const platforms = [...new Set([...platformList(build.platforms as string[] | string), ...DEFAULT_CI_PLATFORMS])];
  const content = contentTag(repository, layout, image, SAMPLE_SHA.slice(0, CONTENT_HASH_LENGTH));
  const release = (r: ReleaseVersion) => releaseTags({ repository, layout, image, release: r, released: [] });
  return [
    floatingTag(repository, layout, image),
    edgeTag(repository, layout, image),
    cacheTag(repository, layout, image),
    ...SAMPLE_RELEASES.flatMap(release),
    shaTag(repository, layout, image, revisionTag(SAMPLE_SHA, shaLength)),
    shaTag(repository, layout, image, revisionTag(SAMPLE_SHA, shaLength, true)),
    content,
    ...platforms.map((p) => platformTag(content, p)),
  ].map(tagOf);
}

/** An image name that cannot be a tag (single layout) or a repository path component (per image). */
function imageNameProblem({ options, images }: ConfigurationFacts): ImageConfigError | undefined {
  const fix = (dockerfile: string) =>
    `rename the folder ${dockerfile.replace(/\/Dockerfile$/, '')}: an image is named after its folder, ` +
    'in lowercase letters and digits with single ".", "_" or "-" between them, short enough for its tags (at most 63 characters)';
  for (const { name, dockerfile } of images) {
    if (options.layout === 'per-image' && !PATH_COMPONENT.test(name)) {
      const problem = `the image name "${name}" cannot be a repository name (<repository>/${name}) in the per-image layout`;
      return new ImageConfigError(problem, fix(dockerfile), dockerfile);
    }
    const bad = tagsOfImage(name, options.layout, options.build).find((t) => !TAG_GRAMMAR.test(t));
    if (bad !== undefined) {
      const problem = `the image name "${name}" cannot be a tag: its tag "${bad}" does not fit Docker's tag grammar ([A-Za-z0-9_][A-Za-z0-9_.-], at most 128 characters)`;
      return new ImageConfigError(problem, fix(dockerfile), dockerfile);
    }
  }
  return undefined;
}

/** In the single layout every tag is in one repository: no image may write a tag another image owns. */
function tagCollision({ options, images }: ConfigurationFacts): ImageConfigError | undefined {
  if (options.layout !== 'single') return undefined;
  // The longer name first: `base-edge` is the one to rename, not `base`.
  for (const image of [...images].sort((a, b) => b.name.length - a.name.length)) {
    for (const tag of tagsOfImage(image.name, options.layout, options.build)) {
      const owner = images.find((o) => o.name !== image.name && isTagOf(o.name, tag));
      if (!owner) continue;
      return new ImageConfigError(
        `the image "${image.name}" writes the tag ${tag}, which is also a tag of the image "${owner.name}" ` +
          `(${owner.dockerfile}): in the single layout every tag of ${owner.name} is ${owner.name} or ${owner.name}-<sha|content-<hash>|edge|buildcache|version>`,
        `rename the folder ${image.dockerfile.replace(/\/Dockerfile$/, '')} so its name does not start with "${owner.name}-" ` +
          'followed by a commit, "content", "edge", "buildcache" or a version, or set "layout": "per-image" (one repository per image)',
        image.dockerfile,
      );
    }
  }
  return undefined;
}
