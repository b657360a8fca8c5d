// An ESLint rule (`workspace/import-cycle`): no cycle of imports between the workspace's own modules,
// counting `import type` too. import-x/no-cycle skips type-only imports by design (a type import is erased
// at run time) and has no option to count them; a type cycle is still two modules that each need the other,
// the sign that one of them owns a thing the other should.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

/** What a relative specifier may leave out: TypeScript sources are imported without their extension. */
const SUFFIXES = ['', '.ts', '.mts', '.mjs', '.js', '/index.ts'];

/** The imports of each file read so far, by path, with the modification time they were read at. */
const importsCache = new Map();

/** The workspace file a relative specifier names, or undefined (packages, node: built-ins, missing files). */
function resolveSpecifier(fromFile, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [...SUFFIXES.map((suffix) => base + suffix), base.replace(/\.js$/, '.ts')];
  return candidates.find((file) => existsSync(file) && statSync(file).isFile());
}

/** The workspace files a file imports (static, type-only, re-exports, import() and require()). */
function importsOf(file) {
  const { mtimeMs } = statSync(file);
  const cached = importsCache.get(file);
  if (cached?.mtimeMs === mtimeMs) return cached.imports;
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const imports = new Set(importedFiles.map((entry) => resolveSpecifier(file, entry.fileName)).filter(Boolean));
  importsCache.set(file, { mtimeMs, imports });
  return imports;
}

/** The shortest chain of imports from `start` back to `target` (both included), or undefined. */
function chainBack(start, target) {
  const cameFrom = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    if (importsOf(file).has(target)) {
      const chain = [target];
      for (let step = file; step !== undefined; step = cameFrom.get(step)) chain.unshift(step);
      return chain;
    }
    for (const next of importsOf(file)) {
      if (!cameFrom.has(next)) {
        cameFrom.set(next, file);
        queue.push(next);
      }
    }
  }
  return undefined;
}

const importCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'No import cycle between workspace modules, type-only imports included' },
    schema: [],
    messages: {
      cycle:
        'import cycle: {{chain}}. Fix: move what the modules share into a module of its own (or into the one that owns it), so imports point one way; type-only imports count too',
    },
  },
  create(context) {
    const file = context.physicalFilename;
    const root = context.cwd;
    const check = (node, source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      const target = resolveSpecifier(file, source.value);
      if (target === undefined || target === file) return;
      const chain = chainBack(target, file);
      if (chain === undefined) return;
      const names = [file, ...chain].map((step) => relative(root, step));
      context.report({ node, messageId: 'cycle', data: { chain: names.join(' -> ') } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(node, node.arguments[0]);
      },
    };
  },
};

export default { meta: { name: 'workspace' }, rules: { 'import-cycle': importCycle } };
