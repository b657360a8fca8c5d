import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import {
  assertCatalogCurrent,
  catalogText,
  CODER_CATALOG_FILE,
  coderCatalog,
  coderPins,
  pinsText,
  type CoderCatalog,
} from '../core/coder-catalog';
import { ImageConfigError } from '../core/errors';
import { shortSha } from '../core/tags';
import { readAllResults } from '../adapters/result-files';
import { workspaceImages } from './workspace';

export interface CoderTemplateRequest {
  workspaceRoot: string;
  /** Only compare templates/coder/images.json with the graph; fail when it is out of date. */
  check: boolean;
  /** Write the pinned digests of these image-build results (pushed) instead: `dist/images`. */
  pinResults?: string;
  /** Where the pinned digests go. */
  out: string;
  log: (line: string) => void;
}

/**
 * Writes templates/coder/images.json from the Nx graph (every image, where it
 * is published, whether it runs its own Docker engine), or checks it (`--check`). With `--pin-results`,
 * writes the template's pinned-digests.json from pushed image-build results instead.
 */
export async function writeCoderTemplateFiles(args: CoderTemplateRequest): Promise<void> {
  const { options, specs } = await workspaceImages(args.workspaceRoot);
  const catalog = coderCatalog(specs, options.repository, options.layout);
  const file = join(args.workspaceRoot, CODER_CATALOG_FILE);
  if (args.pinResults) {
    const resultsDir = relative(args.workspaceRoot, resolve(args.workspaceRoot, args.pinResults));
    const results = (await readAllResults(args.workspaceRoot, resultsDir)).filter((r) => !r.image.includes('@'));
    const local = results.filter((r) => !r.pushed);
    if (local.length) {
      throw new ImageConfigError(
        `${local.map((r) => r.image).join(', ')} ${local.length > 1 ? 'were' : 'was'} not pushed: ` +
          'a local image ID is no registry digest',
        'pin the results of image-build --push (or the digests a release resolved)',
        args.pinResults,
      );
    }
    const revisions = [...new Set(results.map((r) => shortSha(r.revision)))].join(', ');
    const pins = coderPins(results, catalog, `the images built at ${revisions}`);
    const out = resolve(args.workspaceRoot, args.out);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, pinsText(pins));
    args.log(
      `${args.out}: ${Object.entries(pins.digests)
        .map(([image, digest]) => `${image} ${digest}`)
        .join(', ')}`,
    );
    return;
  }
  if (args.check) {
    const current = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as CoderCatalog)
      : ({ images: {} } as unknown as CoderCatalog);
    assertCatalogCurrent(catalog, current);
    args.log(`${CODER_CATALOG_FILE} is up to date: ${Object.keys(catalog.images).join(', ')}`);
    return;
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, catalogText(catalog));
  const list = Object.entries(catalog.images).map(([name, image]) => `${name} (Docker ${image.docker})`);
  args.log(`${CODER_CATALOG_FILE}: ${list.join(', ')}; default ${catalog.default}`);
}
