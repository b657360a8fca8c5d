import { RegistryClient } from '../adapters/registry';
import { readPinReplacements } from '../adapters/base-pins-file';
import { buildSettings, type BuildSettings, type ImageBuildOptions } from '../core/build-options';
import type { ImageSpec } from '../core/image-spec';
import { missingPlatforms } from '../core/platforms';
import { imageTags, revisionTag, signatureTag } from '../core/tags';
import { currentRevision } from '../adapters/git';
import { chainHashes, imageContent, lookUpTags } from './image-content';
import type { ImageReader, TagReader } from './ports';

export interface MissingContent {
  image: string;
  /** The content tag the build would push: `<repository>:<image>-content-<hash>`. */
  contentTag: string;
  /** The planned platforms the registry lacks: all of them when the tag is not there. */
  missingPlatforms: string[];
  /** The registry has it with every platform, but no signature: `<repository>:sha256-<hex>.sig`. */
  unsignedDigest?: string;
}

export interface RegistryContentRequest {
  workspaceRoot: string;
  specs: readonly ImageSpec[];
  /** Image levels, parents first. */
  levels: readonly (readonly string[])[];
  /** Each image's image-build options as the Nx graph holds them (nx.json, project.json). */
  options: (image: string) => ImageBuildOptions;
  /** The platforms of the finished indexes. */
  platforms: readonly string[];
  defaultRepository?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Content counts only when signed: its digest has a cosign signature tag (one more HEAD per image found). */
  requireSignature?: boolean;
}

/**
 * The images of this commit that the registry lacks with every planned platform: neither the commit's
 * SHA tag (final once written, whatever the inputs hash to today) nor the content, as a build of this
 * commit would hash it: what a change-based (git) plan would miss when the platforms changed or a tag
 * was deleted (external bases are pinned in the Dockerfiles, so a moved base is a commit). Hashes
 * chain parent -> child with the executor's own chaining (chainHashes), and the two lookups per image
 * (its content tag and its SHA tag, lookUpTags) of every level go out together.
 */
export async function imagesMissingContent(
  req: RegistryContentRequest,
  registry: ImageReader & TagReader = new RegistryClient(req.env),
): Promise<MissingContent[]> {
  const byName = new Map(req.specs.map((s) => [s.name, s]));
  const replacements = await readPinReplacements(req.env);
  const commit = currentRevision(req.workspaceRoot).then((r) => r.sha);
  commit.catch(() => undefined);
  const names = req.levels.flat();
  const hashed = chainHashes(names, async (name, parentHash) => {
    const spec = byName.get(name) as ImageSpec;
    const settings = settingsOf(req, name);
    const parents: Record<string, string> = {};
    for (const p of spec.parents) parents[p.image] = (await parentHash(p.image)) as string;
    const { hash } = await imageContent(req.workspaceRoot, spec, settings, parents, replacements);
    return { hash, settings };
  });
  const found = await Promise.all(
    names.map(async (name) => {
      const { hash, settings } = await (hashed.get(name) as Promise<{ hash: string; settings: BuildSettings }>);
      const tags = imageTags({
        repository: settings.repository,
        layout: settings.layout,
        image: name,
        revision: revisionTag(await commit, settings.shaLength),
        contentHash: hash,
      });
      // The commit's SHA tag first: once written it is final, whatever this run's inputs hash to now.
      const [content, committed] = await lookUpTags(registry, tags);
      return missingOf(registry, { image: name, contentTag: tags.content }, committed ?? content, settings, req);
    }),
  );
  return found.filter((m): m is MissingContent => m !== null);
}

/** What the registry lacks of one image: platforms, or (with requireSignature) the signature of what it has. */
async function missingOf(
  registry: TagReader,
  image: { image: string; contentTag: string },
  found: { repository: string; digest: string; platforms: string[] } | null,
  settings: BuildSettings,
  req: Pick<RegistryContentRequest, 'requireSignature'>,
): Promise<MissingContent | null> {
  const lacking = missingPlatforms(settings.indexPlatforms, found?.platforms ?? []);
  if (lacking.length) return { ...image, missingPlatforms: lacking };
  if (!req.requireSignature || !found) return null;
  if (await registry.digestOf(signatureTag(found.repository, found.digest))) return null;
  return { ...image, missingPlatforms: [], unsignedDigest: found.digest };
}

/** The settings of a build of the finished index (every planned platform), as CI's build would have them. */
function settingsOf(req: RegistryContentRequest, name: string): BuildSettings {
  return buildSettings(
    {
      ...req.options(name),
      push: true,
      pushByDigest: false,
      platforms: [...req.platforms],
      indexPlatforms: [...req.platforms],
    },
    { image: name, hostPlatform: req.platforms[0], defaultRepository: req.defaultRepository, env: req.env },
  );
}
