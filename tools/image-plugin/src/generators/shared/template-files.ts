import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import type { Tree } from '@nx/devkit';

/**
 * The generators' templates, rendered with ejs (nx's own template engine) into the tree. Written here
 * rather than taken from @nx/devkit's generateFiles so that the plugin needs no @nx/devkit at run time:
 * each @nx/devkit major accepts only the nx majors next to it, so no one version serves nx 22 to 24.
 */
const ejs = require('ejs') as { render(template: string, data: Record<string, unknown>): string };

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** A template's path in the tree: each `__key__` replaced by its value (`__tmpl__` by '', `__name__` by the name). */
function targetPath(path: string, values: Readonly<Record<string, unknown>>): string {
  const renamed = path.replace(/__([a-zA-Z]+)__/g, (whole, key: string) =>
    key in values ? String(values[key]) : whole,
  );
  return renamed.split(sep).join(posix.sep);
}

/** Writes every template of `sourceDir` under `targetDir` of the tree, file names and contents filled in from `values`. */
export function writeTemplateFiles(
  tree: Tree,
  sourceDir: string,
  targetDir: string,
  values: Readonly<Record<string, unknown>>,
): void {
  const files = filesUnder(sourceDir);
  if (files.length === 0) throw new Error(`the plugin's templates are missing: no file in ${sourceDir}`);
  for (const file of files) {
    const content = ejs.render(readFileSync(join(sourceDir, file), 'utf8'), { ...values });
    tree.write(posix.join(targetDir, targetPath(file, values)), content);
  }
}

/** The way back to the workspace root from a folder of it: `images/python` -> `../../`. */
export function offsetFromRoot(folder: string): string {
  const depth = folder.split('/').filter((part) => part !== '' && part !== '.').length;
  return '../'.repeat(depth);
}
