import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { logger } from 'nx/src/devkit-exports';
import { ImageConfigError } from '../../core/errors';
import { offsetFromRoot, writeTemplateFiles } from '../shared/template-files';
import { classifyReference, parseReference } from '../../core/references';
import { floatingTag, shaTag } from '../../core/tags';
import { PLUGIN_PACKAGE } from '../../plugin-package';
import {
  IMAGE_DOCS_DIR,
  DEFAULT_BASE,
  imageFolderFor,
  PARENT_ARG,
  SCRIPTS_LIB_DIR,
  scriptPath,
  SCRIPTS_DIR,
  TEST_SPEC_FILE,
} from '../shared/layout';
import { listOption } from '../shared/list-option';
import { checkImageName, checkOneLine, checkToolName, tagClash } from '../shared/names';
import { scriptFacts } from '../shared/script-facts';
import { readTreeImages, specsWith, type TreeImages } from '../shared/tree-images';
import { CONTENTS_RECORD_SCRIPT_FILE, renderDockerfile } from './dockerfile';
import { imageListings, type ImageListing } from './listings';
import type { InstallStep, NewImage } from './model';
import type { ImageGeneratorSchema } from './schema';
import { renderTestSpec } from './test-spec';

const refuse = (problem: string, fix: string, file?: string) => new ImageConfigError(problem, fix, file);

/** An image's published references: the floating tag a child's ARG default names, and this commit's tag. */
const referencesOf = (options: TreeImages['options'], image: string) => ({
  floating: floatingTag(options.repository, options.layout, image),
  sha: shaTag(options.repository, options.layout, image, '<sha>'),
});

/** The parent: an image of the workspace, not the new image itself. */
function checkParent(parent: string, name: string, images: TreeImages): string {
  if (parent === name) {
    throw refuse(
      `the image "${name}" cannot build FROM itself`,
      'name an existing image as --parent, or leave it out for an external base',
    );
  }
  if (!images.names.has(parent)) {
    const known = [...images.names].sort();
    throw refuse(
      `--parent "${parent}" is not an image of this workspace`,
      known.length
        ? `use one of ${known.join(', ')}, or leave --parent out to build FROM an external base`
        : 'leave --parent out: the first image builds FROM an external base (--base)',
    );
  }
  return parent;
}

/** The external base: a plain image reference, and not one of our own images (those go through --parent). */
function checkBase(base: string, images: TreeImages): string {
  if (/\s|\$/.test(base) || !parseReference(base).repository) {
    throw refuse(`--base "${base}" is not an image reference`, `write one like ${DEFAULT_BASE}`);
  }
  const kind = classifyReference(base, images.options.repository, images.names, new Set(), images.options.layout);
  if (kind.kind === 'sibling' || kind.kind === 'unknown-sibling') {
    throw refuse(
      `--base "${base}" names this workspace's image "${kind.image}"`,
      `use --parent ${kind.image || '<image>'}: a child names its parent through the ${PARENT_ARG} build arg`,
    );
  }
  return base;
}

function installStep(tree: Tree, tool: string): InstallStep {
  const path = scriptPath(tool);
  if (tool !== 'lib') checkToolName(tool); // a folder name, never a path out of scripts/
  if (tool === 'lib' || !tree.isFile(path)) {
    const hint =
      tool === 'lib'
        ? `"${SCRIPTS_LIB_DIR}" holds the shared helpers and is mounted next to every script`
        : `${path} does not exist`;
    throw refuse(
      `--scripts "${tool}": ${hint}`,
      `create it with \`nx g ${PLUGIN_PACKAGE}:install-script ${tool === 'lib' ? '<tool>' : tool}\`, ` +
        `or name a folder under ${SCRIPTS_DIR}/ that has an install.sh`,
    );
  }
  const facts = scriptFacts(tree.read(path, 'utf8') ?? '');
  const step: InstallStep = {
    tool,
    source: `${SCRIPTS_DIR}/${tool}`,
    caBundle: facts.fetchesOverHttps,
    aptPackages: facts.aptPackages,
    npmPackages: facts.npmPackages,
    manifests: facts.manifests,
  };
  if (tree.exists(SCRIPTS_LIB_DIR)) step.lib = SCRIPTS_LIB_DIR;
  if (facts.summary) step.summary = facts.summary;
  return step;
}

/** A name no image has (nor its folder), whose tags cannot be another image's. */
function checkNewName(tree: Tree, name: string, folder: string, images: TreeImages): void {
  if (images.names.has(name) || tree.exists(folder)) {
    throw refuse(
      `the image "${name}" already exists (${folder})`,
      'pick another name, or edit that image',
      `${folder}/Dockerfile`,
    );
  }
  if (images.options.layout !== 'single') return;
  for (const other of images.names) {
    const clash = tagClash(name, other);
    if (clash) {
      throw refuse(
        `${clash}: in the single layout every tag of an image starts with "<image>-"`,
        'pick another name, or use "layout": "per-image" in the image plugin options',
        'nx.json',
      );
    }
  }
}

/**
 * The plugin's own reader and graph over the workspace plus the new Dockerfile: refuses a cycle it would
 * close (an existing Dockerfile already naming it) and a parent reference the plugin would not read as the parent.
 */
function checkAsThePluginReadsIt(tree: Tree, image: NewImage, images: TreeImages): void {
  const spec = specsWith(tree, images, {
    dockerfile: `${image.folder}/Dockerfile`,
    content: renderDockerfile(image),
  }).find((s) => s.name === image.name);
  if ('parent' in image.from && spec?.parents.map((p) => p.image).join() !== image.from.parent) {
    throw refuse(
      `the parent reference ${image.from.reference} does not read as the image "${image.from.parent}" ` +
        `with the plugin's repository ${images.options.repository}`,
      'check "repository" and "layout" in the image plugin options in nx.json',
      'nx.json',
    );
  }
}

/** Decides the new image from the options and the Tree, refusing bad input before anything is written. */
export function planImage(tree: Tree, schema: ImageGeneratorSchema): { image: NewImage; images: TreeImages } {
  const name = checkImageName((schema.name ?? '').trim());
  const images = readTreeImages(tree);
  const folder = imageFolderFor(images.options.dockerfileGlob, name);
  checkNewName(tree, name, folder, images);
  const parent = schema.parent?.trim() ? checkParent(schema.parent.trim(), name, images) : undefined;
  if (parent && schema.base?.trim()) {
    throw refuse('--parent and --base both name what the image builds FROM', 'pass one of them');
  }
  const scripts = listOption(schema.scripts);
  const steps = scripts.map((tool) => installStep(tree, tool));
  const from = parent
    ? { parent, reference: referencesOf(images.options, parent).floating }
    : { base: checkBase(schema.base?.trim() || DEFAULT_BASE, images) };
  const said = checkOneLine('description', schema.description?.trim() ?? '').replace(/\.$/, '');
  const plus = scripts.length ? ` plus ${scripts.join(', ')}` : '';
  const description = said || `${'base' in from ? `an image FROM ${from.base}` : `the ${parent} image`}${plus}`;
  const title = `${images.options.repository.split('/').pop()} ${name}`;
  const contentsRecord = tree.exists(CONTENTS_RECORD_SCRIPT_FILE);
  const image: NewImage = {
    name,
    folder,
    description,
    title,
    from,
    steps,
    ...(contentsRecord ? { contentsRecord } : {}),
  };
  checkAsThePluginReadsIt(tree, image, images);
  return { image, images };
}

/** Writes the image's files; `listings` add it wherever else images are listed. */
export function writeImage(
  tree: Tree,
  image: NewImage,
  images: TreeImages,
  listings: readonly ImageListing[] = imageListings,
): void {
  const tags = referencesOf(images.options, image.name);
  tree.write(`${image.folder}/Dockerfile`, renderDockerfile(image));
  const testSpec = renderTestSpec(image);
  if (testSpec) tree.write(`${image.folder}/${TEST_SPEC_FILE}`, testSpec);
  const docsPage = `${IMAGE_DOCS_DIR}/${image.name}.md`;
  const parent = 'parent' in image.from ? image.from.parent : '';
  writeTemplateFiles(tree, join(__dirname, 'files', 'image'), image.folder, {
    tmpl: '',
    name: image.name,
    docsPage,
    offset: offsetFromRoot(image.folder),
  });
  writeTemplateFiles(tree, join(__dirname, 'files', 'docs'), IMAGE_DOCS_DIR, {
    tmpl: '',
    name: image.name,
    description: image.description.charAt(0).toUpperCase() + image.description.slice(1),
    folder: image.folder,
    ownChecks: testSpec !== null,
    parent,
    parentDocs: parent !== '' && tree.exists(`${IMAGE_DOCS_DIR}/${parent}.md`),
    base: 'base' in image.from ? image.from.base : '',
    steps: image.steps.map((step) => ({
      // A `|` would end the table cell.
      what:
        (step.summary ?? step.tool).replace(/\|/g, '\\|') + (step.manifests.length ? ' (+ home-persist manifest)' : ''),
      link: `[\`${step.source}\`](${offsetFromRoot(IMAGE_DOCS_DIR)}${step.source}/install.sh)`,
    })),
    reference: tags.floating,
    localTag: tags.sha,
    offset: offsetFromRoot(IMAGE_DOCS_DIR),
  });
  for (const listing of listings) if (listing.appliesTo(tree)) listing.add(tree, image);
}

/** `nx g @workspace-images/image-plugin:image <name> [--parent <image>] [--scripts a,b]`. */
export default async function imageGenerator(tree: Tree, schema: ImageGeneratorSchema): Promise<() => void> {
  const { image, images } = planImage(tree, schema);
  writeImage(tree, image, images);
  return () => {
    logger.info(`Added the image "${image.name}" (${image.folder}). Next:`);
    logger.info(`  - edit ${image.folder}/image-test.yaml: check what its tools do, not only that they are there`);
    logger.info(`  - edit ${IMAGE_DOCS_DIR}/${image.name}.md: what it is for, how to run it`);
    logger.info(`  - npx nx run ${image.name}:image-build && npx nx run ${image.name}:image-test`);
  };
}
