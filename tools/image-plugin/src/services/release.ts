import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { commitOf, versionTags, versionTagsIn } from '../adapters/git';
import { GitHubReleases } from '../adapters/github';
import { RegistryClient } from '../adapters/registry';
import { commitFile, discardFile, revertFile, stageFile, type StagedFile } from '../adapters/staged-file';
import { workspaceShaLength } from '../core/build-options';
import { coderCatalog, coderPins, pinsText } from '../core/coder-catalog';
import { CODER_CATALOG_FILE, CODER_PINS_OUT } from '../core/defaults';
import { ImageConfigError, isImageError } from '../core/errors';
import type { ReleaseFields } from '../core/github-release';
import { taggedImage } from '../core/image-index';
import { releaseNotes, type ReleasedImage } from '../core/release-notes';
import {
  checkUniqueVersion,
  checkWriteOnce,
  makeLatest,
  parseReleaseTag,
  readReleaseTags,
  releaseMoves,
  releaseTags,
  type ReleaseVersion,
} from '../core/release-tags';
import { normalizeRepository } from '../core/repository';
import { failedAfterMovesError, type PendingMove, type TagMove } from '../core/tag-moves';
import { revisionTag, shaTag, shortSha, type Layout } from '../core/tags';
import { currentDigests, moveTagsAllOrNothing, undoMoves } from './move-tags';
import type { ImageReader, ReleaseRegistryPort, ReleasesPort, TagMoverPort } from './ports';
import { prepareGitHub, publishGitHub, type GitHubStatus, type PreparedGitHub } from './release-github';
import { releaseChanges, type ReleaseChangesRequest } from './release-changes';
import { workspaceImages, type WorkspaceImages } from './workspace';

export interface ReleaseRequest {
  workspaceRoot: string;
  /** The git tag, `v` + semver, e.g. `v1.2.3` (default: GITHUB_REF_NAME). */
  tag: string;
  repository?: string;
  env: Readonly<Record<string, string | undefined>>;
  log: (line: string) => void;
}

export interface ReleaseOutcome {
  images: ReleasedImage[];
  moved: PendingMove[];
  /** The release notes; `github` says what happened to the GitHub release (null: not asked, no token). */
  notes: string;
  /** `meanwhile`: another run (a reconciliation, the tag's own run) published this very release first. */
  github: GitHubStatus | null;
  /** Where the Coder template's pins of this release were written (null: the workspace has no template). */
  coderPins: string | null;
}

/** What a release is about, read once: the version, the commit, the released versions, where the images are. */
interface ReleaseContext {
  release: ReleaseVersion;
  commit: string;
  released: string[];
  repository: string;
  layout: Layout;
  revision: string;
  specs: WorkspaceImages['specs'];
}

/** What a release asks of the outside world; releasePorts gives the real ones. */
export interface ReleasePorts {
  registry: ReleaseRegistryPort;
  workspace: () => Promise<Pick<WorkspaceImages, 'options' | 'specs'>>;
  /** The commit a git tag names. */
  commitOf: (tag: string) => Promise<string>;
  /** Every git tag that starts with v. */
  versionTags: () => Promise<string[]>;
  /** The v* git tags in a commit's history (the previous release is among them). */
  versionTagsAt: (commit: string) => Promise<string[]>;
  /** What changed in each image since the previous release (markdown; '' when there is none). */
  changes: (request: ReleaseChangesRequest) => Promise<string>;
  /** The GitHub releases of `owner/repo`. */
  releases: (owner: string, repo: string, token: string, apiUrl?: string) => ReleasesPort;
}

function releasePorts(workspaceRoot: string): ReleasePorts {
  const registry = new RegistryClient();
  return {
    registry,
    workspace: () => workspaceImages(workspaceRoot),
    commitOf: (tag) => commitOf(workspaceRoot, tag),
    versionTags: () => versionTags(workspaceRoot),
    versionTagsAt: (commit) => versionTagsIn(workspaceRoot, commit),
    changes: (request) => releaseChanges(registry, request),
    releases: (owner, repo, token, apiUrl) => new GitHubReleases(owner, repo, token, apiUrl),
  };
}

/** The release body, and its first part: the table of images, which tells this release from another on GitHub. */
interface Notes {
  table: string;
  notes: string;
}

/**
 * The release body: the table of images, then what changed in each since the previous release in this
 * release's history (a hotfix released later on another branch does not change it; docs/contents.md).
 */
async function notesOf(
  ctx: ReleaseContext,
  images: ReleasedImage[],
  ports: Pick<ReleasePorts, 'versionTagsAt' | 'changes'>,
): Promise<Notes> {
  const version = ctx.release.tag.slice(1);
  const { repository, layout } = ctx;
  const released = readReleaseTags(await ports.versionTagsAt(ctx.commit)).releases.map((r) => r.version);
  const changes = await ports.changes({ version, released, repository, layout, images });
  const table = releaseNotes(version, images);
  return { table, notes: `${table}${changes}` };
}

/** What the prepare phase made, to finish or to undo. */
interface Prepared {
  pins: StagedFile | null;
  github: PreparedGitHub | null;
}

const NOTHING_MOVED = 'no tag was moved';

/**
 * Releases retag, never rebuild: each image's digest at the tagged commit (its `<image>-<sha>` tag)
 * gets `<image>-<version>` and, where this is the highest release of the line, `<image>-<major>.<minor>`,
 * `<image>-<major>` and `<image>`. All or nothing: first everything that can fail without changing
 * anything (the images found, exact version tags write-once, the pins file written aside, the GitHub
 * token's right to write the release proven by a draft), then the moves (a registry failure puts back
 * what moved), then the steps after them (the pins file renamed into place, the release published);
 * when one of those fails, the moves are put back too. Running it twice changes nothing.
 */
export async function releaseImages(
  req: ReleaseRequest,
  ports: ReleasePorts = releasePorts(req.workspaceRoot),
): Promise<ReleaseOutcome> {
  const { registry } = ports;
  const ctx = await readContext(req, ports);
  const images = await findImages(ctx, registry);
  const moves = releaseMoves(images, ctx.repository, ctx.layout);
  const current = await currentDigests(registry, moves);
  const exact = new Set(images.map((i) => i.tags[0]));
  const exactMoves = moves.filter((m) => exact.has(m.tag));
  checkWriteOnce(ctx.release, exactMoves, await imagesTagged(registry, exactMoves, current));
  const { table, notes } = await notesOf(ctx, images, ports);
  const prepared = await prepare(req, ctx, images, { table, notes }, ports.releases);
  const moved = await move(registry, moves, current, prepared);
  for (const image of images) {
    const tags = image.tags.map((t) => t.slice(t.lastIndexOf(':') + 1)).join(', ');
    const changed = moved.some((m) => m.image === image.image);
    req.log(`${image.image}: ${tags} -> ${image.digest}${changed ? '' : ' (already in place)'}`);
  }
  const github = await finish(req, registry, prepared, moved);
  return report(req, ctx, { images, moved, notes, prepared, github });
}

async function readContext(req: ReleaseRequest, ports: ReleasePorts): Promise<ReleaseContext> {
  const release = parseReleaseTag(req.tag);
  const { options, specs } = await ports.workspace();
  const commit = await ports.commitOf(release.tag);
  // Every existing tag read by the same grammar: a stray `vv9.9.9` is no release and blocks nothing.
  const { releases, ignored } = readReleaseTags(await ports.versionTags());
  if (ignored.length) req.log(`release: not release tags, left out: ${ignored.join(', ')}`);
  checkUniqueVersion(release, releases);
  const shaLength = workspaceShaLength(options.build, 'release');
  return {
    release,
    commit,
    released: releases.map((r) => r.version),
    repository: normalizeRepository(req.repository ?? options.repository),
    layout: options.layout,
    revision: revisionTag(commit, shaLength),
    specs,
  };
}

/**
 * What each exact tag stands for now (core/image-index.ts taggedImage): a tag at another digest than
 * its move's is read once more, since a plain manifest is tagged as a one-entry index of it.
 */
async function imagesTagged(
  registry: ImageReader,
  exact: readonly TagMove[],
  current: ReadonlyMap<string, string | null>,
): Promise<Map<string, string | null>> {
  const now = new Map(current);
  await Promise.all(
    exact.map(async (m) => {
      const digest = current.get(m.tag);
      if (digest && digest !== m.digest) now.set(m.tag, taggedImage(digest, (await registry.inspect(m.tag))?.manifest));
    }),
  );
  return now;
}

/** Each image's digest at the commit (its SHA tag) and its release tags; refused when any is missing. */
async function findImages(ctx: ReleaseContext, registry: ImageReader): Promise<ReleasedImage[]> {
  const { release, commit, repository, layout, released } = ctx;
  const found = await Promise.all(
    ctx.specs.map(async (spec) => {
      const tag = shaTag(repository, layout, spec.name, ctx.revision);
      return { spec, tag, remote: await registry.inspect(tag) };
    }),
  );
  const missing = found.filter((f) => !f.remote);
  if (missing.length) {
    throw new ImageConfigError(
      `${release.tag} (${shortSha(commit)}) has no image for ${missing.map((m) => `${m.spec.name} (${m.tag})`).join(', ')}; ${NOTHING_MOVED}`,
      `releases retag what CI built and tested for that commit: run the images workflow on the tag (Actions > images > Run workflow, "Use workflow from" ${release.tag}; it builds only what is missing, then releases), or locally git checkout ${release.tag} && npx nx run-many -t image-build --push, then release again`,
      'release',
    );
  }
  return found.map(({ spec, remote }) => ({
    image: spec.name,
    digest: remote!.digest,
    platforms: remote!.platforms,
    tags: releaseTags({ repository, layout, image: spec.name, release, released }),
  }));
}

/** Everything that can fail before a tag moves: the pins file written aside, the GitHub release checked (a draft). */
async function prepare(
  req: ReleaseRequest,
  ctx: ReleaseContext,
  images: ReleasedImage[],
  { table, notes }: Notes,
  releases: ReleasePorts['releases'],
): Promise<Prepared> {
  // The Coder template pinned to this release's digests (the release workflow attaches it to the GitHub release).
  const pins = existsSync(join(req.workspaceRoot, CODER_CATALOG_FILE))
    ? await stageFile(
        req.workspaceRoot,
        CODER_PINS_OUT,
        pinsText(coderPins(images, coderCatalog(ctx.specs, ctx.repository, ctx.layout), `release ${ctx.release.tag}`)),
        NOTHING_MOVED,
      )
    : null;
  const gitHub = gitHubOf(req, ctx, notes, releases);
  try {
    return { pins, github: gitHub && (await prepareGitHub(gitHub.client, gitHub.fields, table)) };
  } catch (e) {
    if (pins) await discardFile(pins);
    throw e;
  }
}

/** The GitHub release's fields, and its client; null without a token or repository (the notes are printed instead). */
function gitHubOf(
  req: ReleaseRequest,
  ctx: ReleaseContext,
  notes: string,
  releases: ReleasePorts['releases'],
): { client: ReleasesPort; fields: ReleaseFields } | null {
  const [owner, repo] = (req.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!req.env.GITHUB_TOKEN || !owner || !repo) return null;
  const { release } = ctx;
  const client = releases(owner, repo, req.env.GITHUB_TOKEN, req.env.GITHUB_API_URL);
  const fields: ReleaseFields = {
    tag: release.tag,
    name: release.tag,
    body: notes,
    prerelease: release.prerelease,
    makeLatest: makeLatest(release, ctx.released),
  };
  return { client, fields };
}

/** The moves (services/move-tags.ts puts back what moved when one fails); a failure also undoes the prepare phase. */
async function move(
  registry: TagMoverPort,
  moves: TagMove[],
  current: ReadonlyMap<string, string | null>,
  prepared: Prepared,
): Promise<PendingMove[]> {
  try {
    return (await moveTagsAllOrNothing(registry, moves, 'release', current)).moved;
  } catch (e) {
    await abandon(prepared, false);
    throw e;
  }
}

/**
 * The steps after the moves: the pins file into place, then the GitHub release published. When one
 * fails, the moved tags go back (as for a failed move), the pins file and the draft are undone, and
 * one message says what failed and what went back.
 */
async function finish(
  req: ReleaseRequest,
  registry: TagMoverPort,
  prepared: Prepared,
  moved: PendingMove[],
): Promise<GitHubStatus | null> {
  const { pins, github } = prepared;
  let committed = false;
  try {
    if (pins) await commitFile(req.workspaceRoot, pins, '');
    committed = true;
    return github && (await publishGitHub(github));
  } catch (e) {
    const undone = await undoMoves(registry, moved);
    await abandon(prepared, committed);
    if (!isImageError(e)) throw e;
    const problem = `${e.file && e.file !== 'release' ? `${e.file}: ` : ''}${e.problem}`;
    throw failedAfterMovesError({ problem, fix: e.fix, ...undone, command: 'release' });
  }
}

/** Undoes the prepare phase, as far as it can: the pins file (aside, or put back), the draft release. */
async function abandon(prepared: Prepared, pinsCommitted: boolean): Promise<void> {
  const { pins, github } = prepared;
  if (pins) await (pinsCommitted ? revertFile(pins) : discardFile(pins));
  if (github?.action === 'create') await github.client.deleteDraft(github.id, github.fields.tag).catch(() => undefined);
}

function report(
  req: ReleaseRequest,
  ctx: ReleaseContext,
  done: {
    images: ReleasedImage[];
    moved: PendingMove[];
    notes: string;
    prepared: Prepared;
    github: GitHubStatus | null;
  },
): ReleaseOutcome {
  const { images, moved, notes, prepared, github: status } = done;
  const coderPins = prepared.pins ? CODER_PINS_OUT : null;
  if (coderPins) req.log(`${coderPins}: the Coder template pinned to ${ctx.release.tag} (docs/coder.md)`);
  const github = prepared.github;
  if (!github || !status) {
    req.log('no GITHUB_TOKEN or GITHUB_REPOSITORY: the GitHub release is not created; its notes would be:');
    req.log(notes);
    return { images, moved, notes, github: null, coderPins };
  }
  const latest = github.fields.makeLatest === 'true' ? ' (latest)' : '';
  const said =
    status === 'meanwhile' ? 'published meanwhile by another run, with the same images' : `${status}${latest}`;
  req.log(`GitHub release ${ctx.release.tag}: ${said}`);
  return { images, moved, notes, github: status, coderPins };
}
