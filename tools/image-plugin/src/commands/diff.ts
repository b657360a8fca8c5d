import { diffMarkdown, diffText } from '../core/contents-report';
import { UsageError } from '../core/errors';
import { diffImages } from '../services/contents-diff';

export interface DiffArgs {
  refs: string[];
  format: 'text' | 'json' | 'markdown';
  allowUnrelated: boolean;
  env: NodeJS.ProcessEnv;
}

/** `images diff <ref-a> <ref-b>`: what changed from the first image to the second, printed for people or machines. */
export async function diffCommand(args: DiffArgs): Promise<string> {
  if (args.refs.length !== 2)
    throw new UsageError(
      `diff compares two images, ${args.refs.length} given`,
      'write images diff <repo>:<tag-a> <repo>:<tag-b> (tags or @sha256 digests) (images diff --help)',
      'images diff',
      args.refs[2] ?? '',
    );
  const diff = await diffImages({
    from: args.refs[0],
    to: args.refs[1],
    allowUnrelated: args.allowUnrelated,
    env: args.env,
  });
  if (args.format === 'json') return `${JSON.stringify(diff, null, 2)}\n`;
  return args.format === 'markdown' ? diffMarkdown(diff) : diffText(diff);
}
