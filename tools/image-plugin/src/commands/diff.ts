import { diffMarkdown, diffText } from '../core/contents-report';
import { UsageError } from '../core/errors';
import { releaseDiffMarkdown, releaseDiffText, type ReleaseRange } from '../core/release-diff';
import { edgeTag } from '../core/tags';
import { diffImages } from '../services/contents-diff';
import { diffReleases } from '../services/release-diff';
import { workspaceImages, workspaceOptions } from '../services/workspace';

export interface DiffArgs {
  refs: string[];
  format: 'text' | 'json' | 'markdown';
  allowUnrelated: boolean;
  /** `--release v1.2.0..v1.3.0`, read by core/release-diff.ts. */
  release?: ReleaseRange;
  /** `--edge <image>`: the first image is that image's edge tag in the workspace's repository. */
  edge?: string;
  workspaceRoot: string;
  env: NodeJS.ProcessEnv;
}

const usageError = (problem: string, fix: string, argument = '') =>
  new UsageError(problem, `${fix} (images diff --help)`, 'images diff', argument);

/**
 * `images diff <ref-a> <ref-b>`, `--edge <image> <ref>` or `--release <a>..<b>`: what changed from the first
 * image (or release) to the second, printed for people or machines.
 */
export async function diffCommand(args: DiffArgs): Promise<string> {
  if (args.release) {
    if (args.refs.length || args.edge)
      throw usageError(
        `--release compares two releases' images and takes no ${args.edge ? '--edge' : `image ("${args.refs[0]}")`}`,
        'write images diff --release v1.2.0..v1.3.0 alone, or images diff <ref-a> <ref-b>',
        args.edge ? '--edge' : args.refs[0],
      );
    const { options, specs } = await workspaceImages(args.workspaceRoot);
    const diff = await diffReleases({
      range: args.release,
      images: specs.map((s) => s.name),
      repository: options.repository,
      layout: options.layout,
      env: args.env,
    });
    if (args.format === 'json') return `${JSON.stringify(diff, null, 2)}\n`;
    return args.format === 'markdown' ? releaseDiffMarkdown(diff) : releaseDiffText(diff);
  }
  const [from, to] = refsOf(args);
  const diff = await diffImages({ from, to, allowUnrelated: args.allowUnrelated, env: args.env });
  if (args.format === 'json') return `${JSON.stringify(diff, null, 2)}\n`;
  return args.format === 'markdown' ? diffMarkdown(diff) : diffText(diff);
}

/** The two images: as given, or the edge tag of `--edge <image>` and the one given. */
function refsOf(args: DiffArgs): [string, string] {
  if (args.edge) {
    if (args.refs.length !== 1)
      throw usageError(
        `diff --edge ${args.edge} compares the edge tag with one image, ${args.refs.length} given`,
        `write images diff --edge ${args.edge} <ref> (docker-daemon:<ref> for the local engine's image)`,
        args.refs[1] ?? '',
      );
    const { repository, layout } = workspaceOptions(args.workspaceRoot);
    return [edgeTag(repository, layout, args.edge), args.refs[0]];
  }
  if (args.refs.length !== 2)
    throw usageError(
      `diff compares two images, ${args.refs.length} given`,
      'write images diff <repo>:<tag-a> <repo>:<tag-b> (tags or @sha256 digests; docker-daemon:<ref> for the local engine)',
      args.refs[2] ?? '',
    );
  return [args.refs[0], args.refs[1]];
}
