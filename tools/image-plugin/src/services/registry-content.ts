import { RegistryClient } from '../adapters/registry';
import { readPinReplacements } from '../adapters/base-pins-file';
import { buildSettings, type ImageBuildOptions } from '../core/build-options';
import type { ImageSpec } from '../core/image-spec';
import { missingPlatforms } from '../core/platforms';
import { imageTags, revisionTag, signatureTag } from '../core/tags';
import { currentRevision } from '../adapters/git';
import { imageContent } from './image-content';

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
 * chain parent -> child exactly as the executor does; two registry lookups per image (its content tag and
 * its SHA tag, side by side), each level's lookups in parallel.
 */
export async function imagesMissingContent(
  req: RegistryContentRequest,
  registry = new RegistryClient(req.env as NodeJS.ProcessEnv),
): Promise<MissingContent[]> {
  const byName = new Map(req.specs.map((s) => [s.name, s]));
  const replacements = await readPinReplacements(req.env);
  const commit = currentRevision(req.workspaceRoot).then((r) => r.sha);
  commit.catch(() => undefined);
  const hashes: Record<string, string> = {};
  const missing: MissingContent[] = [];
  for (const level of req.levels) {
    const found = await Promise.all(
      level.map(async (name): Promise<MissingContent | null> => {
        const spec = byName.get(name) as ImageSpec;
        const settings = buildSettings(
          {
            ...req.options(name),
            push: true,
            pushByDigest: false,
            platforms: [...req.platforms],
            indexPlatforms: [...req.platforms],
          },
          { image: name, hostPlatform: req.platforms[0], defaultRepository: req.defaultRepository, env: req.env },
        );
        const parents = Object.fromEntries(spec.parents.map((p) => [p.image, hashes[p.image]]));
        const { hash } = await imageContent(req.workspaceRoot, spec, settings, parents, replacements);
        hashes[name] = hash;
        const tags = imageTags({
          repository: settings.repository,
          layout: settings.layout,
          image: name,
          revision: revisionTag(await commit, settings.shaLength),
          contentHash: hash,
        });
        // The commit's SHA tag first: once written it is final, whatever this run's inputs hash to now.
        const [content, committed] = await Promise.all([registry.inspect(tags.content), registry.inspect(tags.sha)]);
        const found = committed ?? content;
        const lacking = missingPlatforms(settings.indexPlatforms, found?.platforms ?? []);
        if (lacking.length) return { image: name, contentTag: tags.content, missingPlatforms: lacking };
        if (!req.requireSignature || !found) return null;
        const signature = signatureTag(found.repository, found.digest);
        if (await registry.digestOf(signature)) return null;
        return { image: name, contentTag: tags.content, missingPlatforms: [], unsignedDigest: found.digest };
      }),
    );
    missing.push(...found.filter((m): m is MissingContent => m !== null));
  }
  return missing;
}
