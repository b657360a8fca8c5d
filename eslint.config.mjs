// The linter `npm run lint` runs (and `npm test` through it): typescript-eslint with type information,
// import-x for cycles and layering, and size limits for the plugin's production sources.
// Why these rules and thresholds: docs/architecture.md, "Lint".
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import workspace from './tools/lint/import-cycles.mjs';

// Node's globals the JavaScript files use (the `globals` package is not a dependency of this workspace).
const NODE_GLOBALS = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'fetch',
    'AbortController',
    'AbortSignal',
    'performance',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'structuredClone',
    'TextDecoder',
    'TextEncoder',
  ].map((name) => [name, 'readonly']),
);
const COMMONJS_GLOBALS = Object.fromEntries(
  ['require', 'module', 'exports', '__dirname', '__filename'].map((name) => [name, 'readonly']),
);

const PLUGIN_SRC = 'tools/image-plugin/src';
const TESTS = ['**/*.test.ts', 'tools/image-plugin/test/**', 'tools/test-env/**'];

// Layering (docs/architecture.md): core decides and does no I/O; adapters talk to one outside system each
// and know nothing above them; executors and commands reach adapters only through services.
const layer = (name) => `./${PLUGIN_SRC}/${name}`;
const LAYERING = [
  {
    files: [`${PLUGIN_SRC}/**/*.ts`],
    ignores: TESTS,
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [
            {
              target: layer('core'),
              from: layer(''),
              except: ['./core'],
              message: 'core is pure: it imports only core (move the effect to an adapter, the sequence to a service)',
            },
            {
              target: layer('adapters'),
              from: [layer('services'), layer('commands'), layer('executors'), layer('generators')],
              message: 'adapters import only core (a sequence of effects belongs in a service)',
            },
            {
              target: [layer('executors'), layer('commands')],
              from: layer('adapters'),
              message: 'executors and commands reach adapters through a service',
            },
          ],
        },
      ],
    },
  },
  {
    files: [`${PLUGIN_SRC}/core/**/*.ts`],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'os', 'dgram']
            .flatMap((name) => [name, `node:${name}`])
            .map((name) => ({
              name,
              message: 'core does no I/O: read or run it in an adapter and pass the result in',
            })),
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', `${PLUGIN_SRC}/generators/*/files/**`] },

  // Every file: ESLint's recommended rules, import-x for cycles and unresolved paths.
  js.configs.recommended,
  {
    plugins: { 'import-x': importX, workspace },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.mts', '.mjs', '.js', '.json', '.node'] })],
    },
    rules: {
      // No import cycle, `import type` included (tools/lint/import-cycles.mjs). It replaces
      // import-x/no-cycle, which skips type-only imports and took a quarter of the lint's time.
      'workspace/import-cycle': 'error',
      'import-x/no-self-import': 'error',
      'import-x/no-duplicates': 'error',
      // `let x; ... x = new X(...)` where a callback made in between reads x: not a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },

  // TypeScript: the type-checked recommended set, with the project's own tsconfig (projectService).
  {
    files: ['**/*.ts', '**/*.mts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        // `typeof import('x')` types a module loaded on first use (below).
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      // Off: an async function without await is how a fake or a generator keeps the async signature its
      // caller expects; the promise rules that find real bugs (no-floating-promises, no-misused-promises,
      // await-thenable) stay on.
      '@typescript-eslint/require-await': 'off',
      // Passing a caught value or an abort signal's reason on as it came is fine; a made-up string is not.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // require() only for modules the plugin loads on first use (graph inference starts faster without
      // them) and for Nx internals it reaches in a try; a new one is a decision, added here by name.
      '@typescript-eslint/no-require-imports': [
        'error',
        {
          allow: [
            '^dockerode$',
            '^docker-modem$',
            '^dockerfile-ast$',
            '^yaml$',
            '^ejs$',
            '^nx/src/',
            '^nx/package.json$',
          ],
        },
      ],
    },
  },

  // Tests read JSON the product wrote (JSON.parse gives `any`) and assert on it: the assertion is the check.
  {
    files: TESTS,
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  // The Coder template's test harness evaluates Terraform: it prints HCL values (string, number, bool,
  // list, map) into flags and messages with String() on purpose, as Terraform's own tostring does.
  {
    files: ['tools/coder-template/**/*.ts'],
    rules: {
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },

  // JavaScript (benchmarks, scripts, the plugin's loaders): Node globals; no type information.
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: NODE_GLOBALS },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...NODE_GLOBALS, ...COMMONJS_GLOBALS } },
  },

  // The plugin's production sources: no function over 60 lines (every line counts, as
  // long-functions.mjs counts them), and a bound on branches per function.
  {
    files: [`${PLUGIN_SRC}/**/*.ts`],
    ignores: TESTS,
    rules: {
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: false, skipComments: false, IIFEs: true }],
      complexity: ['error', { max: 20 }],
    },
  },

  ...LAYERING,
);
