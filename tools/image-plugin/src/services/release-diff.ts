import { allInOrder, readImageContents } from '../adapters/contents-reader';
import { RegistryClient } from '../adapters/registry';
import { checkRelated, contentsDiff } from '../core/contents-diff';
import { isContentsRecordError } from '../core/errors';
import {
  checkReleasesExist,
  imagesToLook,
  presenceOf,
  releaseImageRefs,
  type ReleaseDiff,
  type ReleaseImageDiff,
  type ReleaseRange,
} from '../core/release-diff';
import type { Layout } from '../core/tags';

export interface ReleaseDiffRequest {
  range: ReleaseRange;
  /** The workspace's images, and where they are published (nx.json's repository and layout). */
  images: readonly string[];
  repository: string;
  layout: Layout;
  env: NodeJS.ProcessEnv;
  registry?: RegistryClient;
}

/**
 * `images diff --release v1.2.0..v1.3.0`: the images to look for (the workspace's, and those the repository's
 * tags show in either release), every image's exact release tag of both releases looked up at once
 * (one HEAD each), a release no image has refused, then each image in both diffed (or, without a contents
 * record, why not) and each in one listed.
 */
export async function diffReleases(req: ReleaseDiffRequest): Promise<ReleaseDiff> {
  const registry = req.registry ?? new RegistryClient(req.env);
  const tags = req.layout === 'single' ? await registry.tagsOf(req.repository) : [];
  const images = imagesToLook(req.range, req.images, tags, req.layout);
  const refs = releaseImageRefs(req.range, images, req.repository, req.layout);
  const wanted = refs.flatMap((r) => [r.from, r.to]);
  const digests = await allInOrder(wanted.map((t) => registry.digestOf(t)));
  const found = new Set(wanted.filter((_, i) => digests[i]));
  const has = (ref: string) => found.has(ref);
  checkReleasesExist(req.range, refs, has);
  const compared = await allInOrder(
    presenceOf(refs, has).map(async ({ refs: r, presence }): Promise<ReleaseImageDiff> => {
      if (presence !== 'both') return { image: r.image, presence, ref: presence === 'added' ? r.to : r.from };
      try {
        const [a, b] = await allInOrder([readImageContents(registry, r.from), readImageContents(registry, r.to)]);
        return { image: r.image, presence, diff: contentsDiff(a, b, checkRelated(a, b, false)) };
      } catch (e) {
        // This image's own problem (no record, or one that cannot be read) is its line of the report; a
        // registry that fails or refuses stops the command, so a report never hides a missing comparison.
        if (!isContentsRecordError(e)) throw e;
        return { image: r.image, presence, problem: e.problem };
      }
    }),
  );
  return { from: req.range.from.tag, to: req.range.to.tag, images: compared };
}
