import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { logger } from 'nx/src/devkit-exports';
import { ImageConfigError } from '../../core/errors';
import { PLUGIN_PACKAGE } from '../../plugin-package';
import { SCRIPTS_LIB_DIR, scriptPath, SCRIPTS_DIR } from '../shared/layout';
import { listOption } from '../shared/list-option';
import { writeTemplateFiles } from '../shared/template-files';
import { checkAptPackage, checkNpmPackage, checkOneLine, checkPersistPath, checkToolName } from '../shared/names';
import type { InstallScriptGeneratorSchema } from './schema';

/** Everything the install script is rendered from, decided once. */
export interface NewInstallScript {
  tool: string;
  description: string;
  apt: string[];
  npm: string[];
  /** `<path>:<dir|file>` entries of the home-persist manifest. */
  persist: string[];
  persistScope: 'owner' | 'workspace';
}

/** The shared helpers (scripts/lib) the script sources. */
export const helpersOf = (script: NewInstallScript): string[] => [
  'apt.sh',
  ...(script.npm.length ? ['npm.sh'] : []),
  ...(script.persist.length ? ['home-persist.sh'] : []),
];

/**
 * The helpers this package carries for workspaces that do not have them yet: the build copies this
 * repository's scripts/lib next to the compiled generator; run from the sources, they are that folder.
 */
export function bundledHelpersDir(): string {
  const candidates = [join(__dirname, 'lib'), join(__dirname, '../../../../../scripts/lib')];
  const found = candidates.find((dir) => existsSync(join(dir, 'apt.sh')));
  if (!found) {
    throw new Error(
      `the image plugin package has no install-script helpers (looked in ${candidates.join(', ')}); rebuild it`,
    );
  }
  return found;
}

/** Words wrapped into `# ` comment lines of at most `width` characters. */
export function commentLines(text: string, width = 110): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length > 1 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

/** The house header: what it installs and from where, what it needs, where it runs, that it is idempotent. */
export function headerOf(script: NewInstallScript): string {
  const sources = [
    ...(script.apt.length ? [`Debian's archive (${script.apt.join(', ')})`] : []),
    ...(script.npm.length ? [`the npm registry, pinned (${script.npm.join(', ')})`] : []),
  ];
  const what = `Installs ${script.description} system-wide${sources.length ? ` from ${sources.join(' and ')}` : ''}.`;
  const needs = script.npm.length
    ? [
        'Needs Node.js, npm and jq in the image, and HTTPS to the npm registry: behind a TLS-intercepting proxy,',
        'mount the CA bundle as the BuildKit secret `ca-bundle` at /etc/ssl/certs/ca-certificates.crt (the image',
        'generator adds that mount to the RUN step of a script that sources lib/npm.sh).',
      ].join(' ')
    : '';
  return [
    ...commentLines(what),
    ...(needs ? commentLines(needs) : []),
    '# Bind-mounted into image builds (never copied into a layer); run as root.',
    '# Idempotent: packages that are already installed are skipped, and a second run changes nothing.',
    `# version: ${versionCommandOf(script)}`,
  ].join('\n');
}

/**
 * The `# version:` declaration (docs/contents.md): the first Debian package's version, else the first npm
 * package's, else `<tool> --version` for the user to check once the script installs the tool.
 */
export function versionCommandOf(script: NewInstallScript): string {
  if (script.apt.length) return `dpkg-query -W -f='\${Version}' ${script.apt[0]}`;
  if (script.npm.length) {
    const name = script.npm[0].replace(/(.)@[^@]*$/, '$1');
    return `node -p "require('/usr/local/lib/node_modules/${name}/package.json').version"`;
  }
  return `${script.tool} --version`;
}

/** Checks the options; refuses bad input before anything is written. */
export function planInstallScript(tree: Tree, schema: InstallScriptGeneratorSchema): NewInstallScript {
  const tool = checkToolName((schema.tool ?? '').trim());
  const path = scriptPath(tool);
  if (tree.exists(`${SCRIPTS_DIR}/${tool}`)) {
    throw new ImageConfigError(
      `the install script "${tool}" already exists (${SCRIPTS_DIR}/${tool})`,
      'pick another name, or edit that script',
      path,
    );
  }
  const persistScope = schema.persistScope ?? 'owner';
  if (persistScope !== 'owner' && persistScope !== 'workspace') {
    throw new ImageConfigError(
      `--persistScope "${String(persistScope)}" is not a scope`,
      'use owner (logins, settings) or workspace (caches)',
    );
  }
  return {
    tool,
    description: checkOneLine('description', schema.description?.trim() ?? '').replace(/\.$/, '') || tool,
    apt: listOption(schema.apt).map(checkAptPackage),
    npm: listOption(schema.npm).map(checkNpmPackage),
    persist: listOption(schema.persist)
      .map(checkPersistPath)
      .map((p) => `${p.path}:${p.type}`),
    persistScope,
  };
}

/** Writes scripts/<tool>/install.sh (mode 755) and the shared helpers it sources that the workspace lacks. */
export function writeInstallScript(tree: Tree, script: NewInstallScript): string[] {
  writeTemplateFiles(tree, join(__dirname, 'files'), SCRIPTS_DIR, { tmpl: '', ...script, header: headerOf(script) });
  tree.changePermissions(scriptPath(script.tool), '755');
  const added: string[] = [];
  for (const helper of helpersOf(script)) {
    const target = `${SCRIPTS_LIB_DIR}/${helper}`;
    if (tree.exists(target)) continue;
    tree.write(target, readFileSync(join(bundledHelpersDir(), helper), 'utf8'));
    added.push(target);
  }
  return added;
}

/** `nx g @workspace-images/image-plugin:install-script <tool> [--apt a,b] [--npm x@1.2.3] [--persist .x:dir]`. */
export default async function installScriptGenerator(
  tree: Tree,
  schema: InstallScriptGeneratorSchema,
): Promise<() => void> {
  const script = planInstallScript(tree, schema);
  const added = writeInstallScript(tree, script);
  return () => {
    const helpers = added.length ? ` and the helpers it sources (${added.join(', ')})` : '';
    logger.info(`Added ${scriptPath(script.tool)}${helpers}. Next:`);
    logger.info(`  - check the header and what it installs; shellcheck -x ${scriptPath(script.tool)}`);
    logger.info(`  - add it to an image: nx g ${PLUGIN_PACKAGE}:image <name> --scripts ${script.tool}`);
    logger.info('    (or its RUN step in an existing Dockerfile), and a check of it to that image-test.yaml');
  };
}
