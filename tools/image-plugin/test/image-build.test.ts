import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_AUTH, TARGET_REGISTRY, TARGET_USER } from '../../test-env/env';
import type { ImageResult } from '../src/core/result';
import { TEST_WORKSPACE_ENV } from './scratch-workspace';
import { tagSha } from './sha-tag';

/**
 * The image-build executor end to end, against the real engine (QEMU for arm64) and the password
 * registry on 127.0.0.1:5000: a scratch workspace with a three-level family
 *
 *   root (FROM debian:trixie-slim, bind-mounted scripts/root-tool, the ca-bundle secret)
 *   ├── left  (scripts/left-tool)
 *   │   └── leaf
 *   └── right (scripts/right-tool)
 *
 * built and pushed for linux/amd64 + linux/arm64 by `nx run-many -t image-build`, then inspected
 * in the registry: indexes, layers, labels, tags, results. Tests run in order and build on each other.
 */

const WORKSPACE = resolve(__dirname, '../../..');
const NAMESPACE = `test-${randomBytes(4).toString('hex')}`;
const REPO = `${TARGET_REGISTRY}/${NAMESPACE}/images`;
const IMAGES = ['root', 'left', 'right', 'leaf'] as const;
type Image = (typeof IMAGES)[number];
const PARENT: Partial<Record<Image, Image>> = { left: 'root', right: 'root', leaf: 'left' };
const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** The file root's install script writes into the image. */
const ROOT_TOOL_FILE = '/usr/local/share/root-tool.txt';
const BUILD_TIMEOUT = 420_000;

type Result = ImageResult;
interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
}
interface Index {
  mediaType?: string;
  manifests: Descriptor[];
}
interface Manifest {
  config: Descriptor;
  layers: Descriptor[];
}

const install = (name: string, line: string) => `#!/bin/sh\nset -eu\necho "installing ${name}"\n${line}\n`;
const child = (parent: Image, tool: string) =>
  [
    `ARG BASE_IMAGE=${REPO}:${parent}`,
    'FROM ${BASE_IMAGE}',
    `RUN --mount=type=bind,source=scripts/${tool},target=/scripts/${tool} sh /scripts/${tool}/install.sh`,
    '',
  ].join('\n');

const FIXTURE: Record<string, string> = {
  'images/root/Dockerfile': [
    'FROM debian:trixie-slim',
    'RUN --mount=type=bind,source=scripts/root-tool,target=/scripts/root-tool sh /scripts/root-tool/install.sh',
    `RUN --mount=type=secret,id=ca-bundle,target=${CA_BUNDLE} test -s ${CA_BUNDLE}`,
    '',
  ].join('\n'),
  'images/left/Dockerfile': child('root', 'left-tool'),
  'images/right/Dockerfile': child('root', 'right-tool'),
  'images/leaf/Dockerfile': [
    `ARG BASE_IMAGE=${REPO}:left`,
    'FROM ${BASE_IMAGE}',
    'RUN echo leaf > /usr/local/share/leaf.txt',
    '',
  ].join('\n'),
  'scripts/root-tool/install.sh': install(
    'root-tool',
    `mkdir -p /usr/local/share && echo root-tool 1 > ${ROOT_TOOL_FILE}`,
  ),
  'scripts/left-tool/install.sh': install('left-tool', 'echo left-tool 1 > /usr/local/share/left-tool.txt'),
  'scripts/right-tool/install.sh': install('right-tool', 'echo right-tool 1 > /usr/local/share/right-tool.txt'),
};

let root: string;
let env: NodeJS.ProcessEnv;

function write(files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

async function git(...args: string[]): Promise<string> {
  return (await execa('git', args, { cwd: root, env })).stdout.trim();
}

async function commit(message: string): Promise<string> {
  await git('add', '-A');
  await git('commit', '-q', '--allow-empty', '-m', message);
  return git('rev-parse', 'HEAD');
}

interface Run {
  exitCode: number;
  output: string;
}

async function run(file: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  const r = await execa(file, args, {
    cwd: root,
    env: { ...env, ...extraEnv },
    reject: false,
    all: true,
    timeout: BUILD_TIMEOUT,
    stdin: 'ignore',
  });
  return { exitCode: r.exitCode ?? -1, output: String(r.all ?? '') };
}

const nx = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  run('npx', ['--no-install', 'nx', ...args, '--outputStyle=static'], extraEnv);

const SBOM_GENERATOR = 'workspace-images/sbom-scanner:1';

/** The push run of the brief: every image, both platforms, the CA bundle secret. */
const pushOptions = (repository = REPO) => [
  '--push',
  `--repository=${repository}`,
  `--platforms=${PLATFORMS.join(',')}`,
  // BuildKit's default scanner image is on Docker Hub; the project's own generator (tools/sbom-scanner).
  `--sbomGenerator=${SBOM_GENERATOR}`,
  `--caBundle=${CA_BUNDLE}`,
];
const pushAll = (extra: string[] = [], extraEnv: NodeJS.ProcessEnv = {}, repository = REPO) =>
  nx(['run-many', '-t', 'image-build', ...pushOptions(repository), ...extra], extraEnv);
/** The push run of one image (`nx run <image>:image-build`), its parents through dependsOn. */
const pushOne = (image: Image) => nx(['run', `${image}:image-build`, ...pushOptions()]);

/** `npx images publish` (the copy in the scratch workspace). */
const publish = () => run('node', ['tools/image-plugin/bin/images.js', 'publish']);

const resultFile = (image: string) => join(root, 'dist/images', `${image}.json`);
const readResult = (image: string): Result => JSON.parse(readFileSync(resultFile(image), 'utf8')) as Result;
/** A skipped task leaves the previous run's result alone; start each failure case from none. */
const clearResults = () => rmSync(join(root, 'dist/images'), { recursive: true, force: true });
const readResults = (): Record<Image, Result> =>
  Object.fromEntries(IMAGES.map((i) => [i, readResult(i)])) as Record<Image, Result>;

/** Fails with the whole command output, so a broken build says why. */
function expectOk(r: Run): void {
  if (r.exitCode !== 0) throw new Error(`command failed (exit ${r.exitCode}):\n${r.output.slice(-6000)}`);
}

/** The digest a reference resolves to in the registry, or null when the registry does not have it. */
async function remoteDigest(ref: string): Promise<string | null> {
  const r = await execa('docker', ['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Manifest}}'], {
    reject: false,
  });
  if (r.exitCode !== 0) {
    if (/not found|manifest unknown/i.test(r.stderr)) return null;
    throw new Error(`imagetools inspect ${ref} failed: ${r.stderr}`);
  }
  return (JSON.parse(r.stdout) as { digest: string }).digest;
}

async function rawManifest<T>(ref: string): Promise<T> {
  const r = await execa('docker', ['buildx', 'imagetools', 'inspect', '--raw', ref]);
  return JSON.parse(r.stdout) as T;
}

/** Every image platform of an index (attestation manifests, `unknown/unknown`, left out) -> its manifest. */
async function platformManifests(digest: string): Promise<Record<string, Manifest>> {
  const index = await rawManifest<Index>(`${REPO}@${digest}`);
  expect(index.manifests, `${digest} is not an index`).toBeDefined();
  const out: Record<string, Manifest> = {};
  for (const d of index.manifests) {
    if (!d.platform || d.platform.os === 'unknown') continue;
    out[`${d.platform.os}/${d.platform.architecture}`] = await rawManifest<Manifest>(`${REPO}@${d.digest}`);
  }
  return out;
}

async function blob(digest: string): Promise<Buffer> {
  const res = await fetch(`http://${TARGET_REGISTRY}/v2/${NAMESPACE}/images/blobs/${digest}`, {
    headers: { Authorization: TARGET_AUTH },
  });
  if (!res.ok) throw new Error(`GET blob ${digest}: ${res.status} ${await res.text()}`);
  return Buffer.from(await res.arrayBuffer());
}

/** The paths in one layer, without a leading `./`. */
async function layerFiles(layer: Descriptor, scratch: string): Promise<string[]> {
  const file = join(scratch, layer.digest.replace(':', '-'));
  writeFileSync(file, await blob(layer.digest));
  const gzip = layer.mediaType.endsWith('gzip');
  const r = await execa('tar', [gzip ? '-tzf' : '-tf', file]);
  rmSync(file);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((p) => p.replace(/^\.\//, ''));
}

/** The tags publish moves: `<image>-edge` (the bare `<image>` belongs to releases). */
const floatingDigests = async (): Promise<Record<string, string | null>> =>
  Object.fromEntries(await Promise.all(IMAGES.map(async (i) => [i, await remoteDigest(`${REPO}:${i}-edge`)] as const)));

describe.sequential(
  'image-build: a three-level family pushed multi-arch to a password registry',
  { timeout: 600_000 },
  () => {
    let firstSha: string;
    let first: Record<Image, Result>;
    let second: Record<Image, Result>;
    let third: Record<Image, Result>;
    /** The floating tags as the last successful publish left them (null: none yet). */
    let floating: Record<string, string | null>;

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'image-build-test-'));
      env = {
        ...process.env,
        ...TEST_WORKSPACE_ENV,
        NX_SKIP_NX_CACHE: 'true',
        NX_CACHE_DIRECTORY: join(root, '.nx/cache'),
        NX_WORKSPACE_DATA_DIRECTORY: join(root, '.nx/workspace-data'),
      };
      for (const key of [
        'GIT_DIR',
        'GIT_WORK_TREE',
        'GIT_INDEX_FILE',
        'GITHUB_REPOSITORY',
        'IMAGE_RUN_ID',
        'IMAGE_BUILD_CA_BUNDLE',
        'NX_BASE',
        'NX_HEAD',
      ]) {
        delete env[key];
      }

      const nxJson = JSON.parse(readFileSync(join(WORKSPACE, 'nx.json'), 'utf8')) as {
        plugins: Array<{ plugin: string; options: Record<string, unknown> }>;
      };
      const entry = nxJson.plugins.find((p) => p.plugin.includes('image-plugin'));
      if (!entry) throw new Error('nx.json has no image plugin entry');
      entry.options = { ...entry.options, repository: REPO };
      writeFileSync(join(root, 'nx.json'), `${JSON.stringify(nxJson, null, 2)}\n`);
      for (const file of ['package.json', 'tsconfig.base.json']) cpSync(join(WORKSPACE, file), join(root, file));
      cpSync(join(WORKSPACE, 'tools/image-plugin'), join(root, 'tools/image-plugin'), {
        recursive: true,
        filter: (src) => !/\/tools\/image-plugin\/test(\/|$)/.test(src),
      });
      // The symlinked node_modules is a file to git, so `node_modules/` alone would not ignore it.
      writeFileSync(join(root, '.gitignore'), `${readFileSync(join(WORKSPACE, '.gitignore'), 'utf8')}\nnode_modules\n`);
      symlinkSync(join(WORKSPACE, 'node_modules'), join(root, 'node_modules'), 'dir');
      write(FIXTURE);
      await git('init', '-q', '-b', 'main');
      firstSha = await commit('the family');
      expect(await git('status', '--porcelain')).toBe('');
    }, 120_000);

    afterAll(async () => {
      // Local images of the local-mode test.
      const ls = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', REPO], {
        reject: false,
      });
      const refs = ls.stdout.split('\n').filter((l) => l.startsWith(REPO));
      if (refs.length) await execa('docker', ['image', 'rm', '-f', ...refs], { reject: false });
      if (root && existsSync(root) && !process.env.KEEP_SCRATCH) rmSync(root, { recursive: true, force: true });
    }, 120_000);

    it('the first push run builds every image for both platforms, each child FROM its parent digest, with OCI labels', async () => {
      expectOk(await pushAll());
      first = readResults();
      const shaSuffix = tagSha(firstSha);
      for (const image of IMAGES) {
        const r = first[image];
        expect(r.result, image).toBe('built');
        expect(r.pushed).toBe(true);
        expect(r.revision).toBe(firstSha);
        expect(r.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect([...r.platforms].sort()).toEqual(PLATFORMS);
        expect(r.tags).toEqual([
          `${REPO}:${image}-${shaSuffix}`,
          expect.stringMatching(new RegExp(`^${REPO.replaceAll('.', '\\.')}:${image}-content-[0-9a-f]{16}$`)),
        ]);
        for (const tag of r.tags) expect(await remoteDigest(tag), tag).toBe(r.digest);
        expect(await remoteDigest(`${REPO}:${image}`), 'image-build never creates a floating tag').toBeNull();
      }
      // The whole run shares one run id (the parents a child was pinned to come from this run).
      expect(new Set(IMAGES.map((i) => first[i].runId)).size).toBe(1);
      expect(first.root.parentDigest).toBeNull();
      expect(first.root.baseDigest).toMatch(/^sha256:/);

      const manifests = Object.fromEntries(
        await Promise.all(IMAGES.map(async (i) => [i, await platformManifests(first[i].digest)] as const)),
      ) as Record<Image, Record<string, Manifest>>;
      for (const image of IMAGES) {
        expect(Object.keys(manifests[image]).sort(), `${image} index platforms`).toEqual(PLATFORMS);
        const parent = PARENT[image];
        if (parent) {
          expect(first[image].parentDigest, `${image}.parentDigest`).toBe(first[parent].digest);
          for (const platform of PLATFORMS) {
            const parentLayers = manifests[parent][platform].layers.map((l) => l.digest);
            const childLayers = manifests[image][platform].layers.map((l) => l.digest);
            expect(childLayers.length, `${image} ${platform} adds layers`).toBeGreaterThan(parentLayers.length);
            expect(
              childLayers.slice(0, parentLayers.length),
              `${image} ${platform} is built FROM ${parent}'s digest`,
            ).toEqual(parentLayers);
          }
        }
        for (const platform of PLATFORMS) {
          const config = JSON.parse((await blob(manifests[image][platform].config.digest)).toString('utf8')) as {
            architecture: string;
            created: string;
            config: { Labels?: Record<string, string> };
          };
          expect(`linux/${config.architecture}`).toBe(platform);
          const labels = config.config.Labels ?? {};
          expect(labels['org.opencontainers.image.source'], `${image} ${platform} source label`).toContain(
            `${NAMESPACE}/images`,
          );
          expect(labels['org.opencontainers.image.revision']).toBe(firstSha);
          expect(labels['org.opencontainers.image.title']).toBe(image);
          expect(labels['org.opencontainers.image.version']).toContain(shaSuffix);
          // SOURCE_DATE_EPOCH: the image's dates are the commit's, never the build's clock.
          const committed = Number(await git('show', '-s', '--format=%ct', firstSha)) * 1000;
          expect(Date.parse(labels['org.opencontainers.image.created'] ?? ''), `${image} created label`).toBe(
            committed,
          );
          expect(Date.parse(config.created), `${image} ${platform} config created`).toBe(committed);
        }
      }
    });

    it('pushed images carry provenance and SBOM attestations for every platform', async () => {
      for (const image of IMAGES) {
        const ref = first[image].tags[0];
        const sbom = JSON.parse(
          (await execa('docker', ['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .SBOM}}'])).stdout,
        ) as Record<string, { SPDX?: { packages?: Array<{ name: string }> } }>;
        const provenance = JSON.parse(
          (await execa('docker', ['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Provenance}}'])).stdout,
        ) as Record<string, { SLSA?: { buildType?: string } }>;
        for (const platform of PLATFORMS) {
          const names = (sbom[platform]?.SPDX?.packages ?? []).map((p) => p.name);
          expect(names, `${image} ${platform} SBOM`).toContain('dpkg');
          expect(provenance[platform]?.SLSA?.buildType, `${image} ${platform} provenance`).toMatch(/buildkit/);
        }
      }
    });
    it('no install script and no CA bundle ends up in any layer', async () => {
      const scratch = mkdtempSync(join(tmpdir(), 'image-build-layers-'));
      try {
        const layers = new Map<string, Descriptor>();
        for (const image of IMAGES) {
          for (const manifest of Object.values(await platformManifests(first[image].digest)))
            for (const l of manifest.layers) layers.set(l.digest, l);
        }
        let listed = 0;
        let sawRootTool = false;
        for (const layer of layers.values()) {
          const files = await layerFiles(layer, scratch);
          listed += files.length;
          sawRootTool ||= files.includes(ROOT_TOOL_FILE.slice(1));
          expect(
            files.filter((f) => f.includes('scripts/') || f.includes('install.sh')),
            `script paths in ${layer.digest}`,
          ).toEqual([]);
          // Debian minbase ships no CA bundle, so any ca-certificates.crt would be the build secret.
          expect(
            files.filter((f) => f.endsWith('ca-certificates.crt')),
            `CA bundle in ${layer.digest}`,
          ).toEqual([]);
        }
        expect(listed).toBeGreaterThan(1000); // the Debian layers were really listed
        expect(sawRootTool, "root's install script ran and its output is in a layer").toBe(true);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });

    it('a run on a new empty commit builds nothing and tags every image with the new SHA', async () => {
      const sha = await commit('nothing changed');
      expectOk(await pushAll());
      second = readResults();
      for (const image of IMAGES) {
        const r = second[image];
        expect(r.result, image).toBe('reused');
        expect(r.digest, image).toBe(first[image].digest);
        expect(r.contentHash).toBe(first[image].contentHash);
        expect(r.revision).toBe(sha);
        expect(r.runId).not.toBe(first[image].runId);
        expect(await remoteDigest(`${REPO}:${image}-${tagSha(sha)}`), `${image}-${tagSha(sha)}`).toBe(
          first[image].digest,
        );
        // The previous commit's tag still points where it did.
        expect(await remoteDigest(`${REPO}:${image}-${tagSha(firstSha)}`)).toBe(first[image].digest);
      }
    });

    it("changing left's script rebuilds left and leaf only", async () => {
      write({
        'scripts/left-tool/install.sh': install('left-tool', 'echo left-tool 2 > /usr/local/share/left-tool.txt'),
      });
      const sha = await commit('left-tool 2');
      expectOk(await pushAll());
      third = readResults();
      expect(Object.fromEntries(IMAGES.map((i) => [i, third[i].result]))).toEqual({
        root: 'reused',
        right: 'reused',
        left: 'built',
        leaf: 'built',
      });
      expect(third.root.digest).toBe(first.root.digest);
      expect(third.right.digest).toBe(first.right.digest);
      expect(third.left.digest).not.toBe(first.left.digest);
      expect(third.leaf.digest).not.toBe(first.leaf.digest);
      expect(third.left.parentDigest).toBe(first.root.digest);
      expect(third.leaf.parentDigest).toBe(third.left.digest);
      for (const image of IMAGES)
        expect(await remoteDigest(`${REPO}:${image}-${tagSha(sha)}`), image).toBe(third[image].digest);
    });

    // `nx run <child>:image-build --push ...` (and `nx affected -t image-build --push`, where the parents are
    // not affected) runs the parents through dependsOn. They must get the same options, or the parent is
    // built locally without --push and the child refuses it ("no pushed result from this run").
    it('a child run alone (nx run leaf:image-build --push) builds its parents with the same options', async () => {
      const sha = await git('rev-parse', 'HEAD');
      clearResults();
      const r = await pushOne('leaf');
      expectOk(r);
      const runs = (['root', 'left', 'leaf'] as const).map((image) => readResult(image));
      for (const result of runs) {
        expect(result.pushed, `${result.image} pushed`).toBe(true);
        expect([...result.platforms].sort(), `${result.image} platforms`).toEqual(PLATFORMS);
        expect(result.result, result.image).toBe('reused');
        expect(result.digest, result.image).toBe(third[result.image as Image].digest);
        expect(result.revision).toBe(sha);
      }
      expect(new Set(runs.map((x) => x.runId)).size).toBe(1);
    });

    // An external base that moves (debian:trixie-slim gets a new digest) changes the content hash of every
    // image of a commit that was built already; a build arg changes it the same way. The commit's SHA tags
    // are final: kept, never rebuilt or re-pointed, and nothing is pushed for the other inputs.
    it("a second push run of the same commit with other inputs keeps every SHA tag's digest and builds nothing", async () => {
      const shaSuffix = tagSha(await git('rev-parse', 'HEAD'));
      clearResults();
      const r = await pushAll(['--buildArgs.INPUTS_MOVED=1']);
      expectOk(r);
      expect(r.output).not.toContain(': building ');
      for (const image of IMAGES) {
        const result = readResult(image);
        expect(result.result, image).toBe('reused');
        expect(result.inputsChanged, image).toBe(true);
        expect(result.digest, image).toBe(third[image].digest);
        expect(result.contentHash, image).not.toBe(third[image].contentHash);
        expect(await remoteDigest(`${REPO}:${image}-${shaSuffix}`), image).toBe(third[image].digest);
        expect(await remoteDigest(`${REPO}:${image}-content-${result.contentHash}`), image).toBeNull();
        expect(r.output).toContain(
          `${image}: kept ${REPO}:${image}-${shaSuffix} (${third[image].digest.slice(0, 19)})`,
        );
      }
    });

    it('a child whose SHA tag is missing is never built or reused FROM a parent kept with other inputs', async () => {
      const shaSuffix = tagSha(await commit('only root and left are built'));
      clearResults();
      expectOk(await pushOne('left'));
      const r = await pushAll(['--buildArgs.INPUTS_MOVED=1']);
      expect(r.exitCode).not.toBe(0);
      expect(r.output).toContain(
        `images/right/Dockerfile: ${REPO}:right-${shaSuffix} does not exist yet, and the parent root kept this commit's image, built from other inputs than this run's`,
      );
      expect(r.output).not.toContain(': building ');
      expect(await remoteDigest(`${REPO}:root-${shaSuffix}`)).toBe(third.root.digest);
      expect(await remoteDigest(`${REPO}:left-${shaSuffix}`)).toBe(third.left.digest);
      expect(await remoteDigest(`${REPO}:right-${shaSuffix}`)).toBeNull();
      expect(await remoteDigest(`${REPO}:leaf-${shaSuffix}`)).toBeNull();
      await git('reset', '-q', '--hard', 'HEAD~1');
    });

    it('--reuseOnly (tag-unaffected in CI): content that would be built stops that image, naming its content tag; nothing is built', async () => {
      write({
        'scripts/right-tool/install.sh': install('right-tool', 'echo right-tool 2 > /usr/local/share/right-tool.txt'),
      });
      const shaSuffix = tagSha(await commit('right-tool 2'));
      clearResults();
      const r = await pushAll(['--reuseOnly']);
      expect(r.exitCode).not.toBe(0);
      expect(r.output).toContain(`: reuseOnly: no image has this content yet (${REPO}:right-content-`);
      expect(r.output).not.toContain(': building ');
      expect(await remoteDigest(`${REPO}:right-${shaSuffix}`)).toBeNull();
      // The images whose content is there still get the commit's SHA tag.
      expect(await remoteDigest(`${REPO}:root-${shaSuffix}`)).toBe(third.root.digest);
      await git('reset', '-q', '--hard', 'HEAD~1');
    });

    it('publish moves the floating tags to this commit (when the command exists)', async () => {
      if (!existsSync(join(root, 'tools/image-plugin/src/commands/publish.ts'))) {
        floating = await floatingDigests();
        expect(Object.values(floating).every((d) => d === null)).toBe(true);
        return;
      }
      expectOk(await publish());
      floating = await floatingDigests();
      for (const image of IMAGES) expect(floating[image], `${REPO}:${image}`).toBe(third[image].digest);
    });

    it('a registry that refuses the credentials: one clear error, nothing tagged', async () => {
      const sha = await commit('failures');
      const config = mkdtempSync(join(tmpdir(), 'image-build-docker-config-'));
      try {
        writeFileSync(
          join(config, 'config.json'),
          JSON.stringify({
            auths: { [TARGET_REGISTRY]: { auth: Buffer.from(`${TARGET_USER}:wrong`).toString('base64') } },
          }),
        );
        clearResults();
        const r = await pushAll([], { DOCKER_CONFIG: config });
        expect(r.exitCode, r.output).not.toBe(0);
        expect(r.output).toContain('fix:');
        expect(r.output).toMatch(/refused the credentials/);
        expect(r.output).toContain(`docker login ${TARGET_REGISTRY}`);
      } finally {
        rmSync(config, { recursive: true, force: true });
      }
      for (const image of IMAGES) {
        expect(existsSync(resultFile(image)), `${image}.json`).toBe(false);
        expect(await remoteDigest(`${REPO}:${image}-${tagSha(sha)}`), `${image}-${tagSha(sha)}`).toBeNull();
      }
      expect(await floatingDigests()).toEqual(floating);
    });

    it('a registry that is down: one clear error naming it', async () => {
      clearResults();
      const r = await pushAll([], {}, '127.0.0.1:5999/nobody/images');
      expect(r.exitCode, r.output).not.toBe(0);
      expect(r.output).toContain('fix:');
      expect(r.output).toMatch(/127\.0\.0\.1:5999 cannot be reached/);
      for (const image of IMAGES) expect(existsSync(resultFile(image)), `${image}.json`).toBe(false);
      expect(await floatingDigests()).toEqual(floating);
    });

    it('a failing RUN in the middle image: its sibling still builds, its child does not, the error names the line', async () => {
      const lines = FIXTURE['images/left/Dockerfile'].split('\n');
      lines.splice(2, 0, 'RUN false');
      write({ 'images/left/Dockerfile': lines.join('\n') });
      const sha = await commit('left is broken');
      clearResults();
      const r = await pushAll();
      expect(r.exitCode, r.output).not.toBe(0);
      expect(r.output).toContain('fix:');
      expect(r.output).toContain('images/left/Dockerfile:3');

      expect(existsSync(resultFile('left')), 'left.json').toBe(false);
      expect(existsSync(resultFile('leaf')), 'leaf.json (leaf must not be built)').toBe(false);
      const right = readResult('right');
      const rootResult = readResult('root');
      expect(right.revision).toBe(sha);
      expect(right.runId).not.toBe(third.right.runId);
      expect(right.runId).toBe(rootResult.runId);
      expect(right.digest).toBe(third.right.digest);
      expect(right.parentDigest).toBe(rootResult.digest);
      const shaSuffix = tagSha(sha);
      expect(await remoteDigest(`${REPO}:right-${shaSuffix}`)).toBe(right.digest);
      expect(await remoteDigest(`${REPO}:left-${shaSuffix}`)).toBeNull();
      expect(await remoteDigest(`${REPO}:leaf-${shaSuffix}`)).toBeNull();
      expect(await floatingDigests()).toEqual(floating);

      if (existsSync(join(root, 'tools/image-plugin/src/commands/publish.ts'))) {
        const p = await publish();
        expect(p.exitCode, p.output).not.toBe(0);
        expect(p.output).toContain('fix:');
        expect(p.output).toMatch(/left/);
        expect(await floatingDigests(), 'a failed run moves no floating tag').toEqual(floating);
      }
      await git('reset', '-q', '--hard', 'HEAD~1');
    });

    /** The blocks `--dryRun` prints: per image, its content tag, what it would do and its BASE_IMAGE. */
    const parsePlans = (output: string) => {
      const plans: Record<string, { content: string; would: string; baseImage: string | undefined }> = {};
      for (const block of output.split(/^(?=\w[\w-]* \(dry run, nothing built\)$)/m).slice(1)) {
        const image = block.slice(0, block.indexOf(' '));
        plans[image] = {
          content: /\s(\S+-content-[0-9a-f]{16})\b/.exec(block)?.[1]?.replace(/^.*:/, '') ?? '',
          would: /^ +would: +(.*)$/m.exec(block)?.[1] ?? '',
          baseImage: /^ +build arg: +BASE_IMAGE=(.*)$/m.exec(block)?.[1],
        };
      }
      return plans;
    };

    it('--dryRun prints the plan and builds nothing', async () => {
      clearResults();
      const shaSuffix = tagSha(await git('rev-parse', 'HEAD'));
      const runRecords = () => readdirSync(tmpdir()).filter((f) => /^image-build-(plan|preflight)-/.test(f));
      const recordsBefore = new Set(runRecords());
      const r = await pushAll(['--dryRun']);
      // The run's shared records (preflight, each parent's plan) are gone when the run ends.
      expect(runRecords().filter((f) => !recordsBefore.has(f))).toEqual([]);
      expectOk(r);
      for (const image of IMAGES) {
        expect(r.output).toContain(`${image} (dry run, nothing built)`);
        expect(r.output).toContain(`${REPO}:${image}-${shaSuffix}`);
        expect(r.output).toMatch(new RegExp(`${image}-content-[0-9a-f]{16}`));
      }
      expect(r.output).toMatch(/build arg: +BASE_IMAGE=/);
      expect(r.output).toContain('docker buildx build');
      // Each child is planned FROM what its parent's plan decided in this same run: the digest of the
      // parent's content tag when it exists (reuse), else that content tag to be built first.
      const plans = parsePlans(r.output);
      for (const image of IMAGES) {
        const parent = PARENT[image];
        const plan = plans[image];
        expect(plan.would, `${image}: would`).toMatch(/^(reuse|build)\b/);
        if (!parent) continue;
        const parentPlan = plans[parent];
        if (parentPlan.would.startsWith('reuse')) {
          expect(plan.baseImage, `${image} FROM ${parent}`).toBe(
            `${REPO}@${await remoteDigest(`${REPO}:${parentPlan.content}`)}`,
          );
        } else {
          expect(plan.baseImage, `${image} FROM ${parent}`).toBe(`${REPO}@<digest of ${REPO}:${parentPlan.content}>`);
        }
      }
      expect(r.output).not.toMatch(/\bbuilt sha256:|reused sha256:/);
      expect(existsSync(join(root, 'dist/images')) ? readdirSync(join(root, 'dist/images')) : []).toEqual([]);
      // HEAD is the commit the failure cases ran on: still no image has its SHA tag.
      for (const image of IMAGES)
        expect(await remoteDigest(`${REPO}:${image}-${shaSuffix}`), `${image}-${shaSuffix}`).toBeNull();
    });

    it('local mode (no --push) loads the images into the engine', async () => {
      const shaSuffix = tagSha(await git('rev-parse', 'HEAD'));
      expectOk(await nx(['run-many', '-t', 'image-build', '--platforms=linux/amd64', `--caBundle=${CA_BUNDLE}`]));
      for (const image of IMAGES) {
        const r = readResult(image);
        expect(r.pushed).toBe(false);
        expect(r.platforms).toEqual(['linux/amd64']);
        expect(
          (await execa('docker', ['image', 'inspect', `${REPO}:${image}-${shaSuffix}`], { reject: false })).exitCode,
          image,
        ).toBe(0);
      }
      const leaf = `${REPO}:leaf-${shaSuffix}`;
      const cat = await execa('docker', [
        'run',
        '--rm',
        leaf,
        'cat',
        ROOT_TOOL_FILE,
        '/usr/local/share/left-tool.txt',
        '/usr/local/share/leaf.txt',
      ]);
      expect(cat.stdout.split('\n')).toEqual(['root-tool 1', 'left-tool 2', 'leaf']);
    });

    it('cache options reach buildx whole: a registry cache value with commas exports the cache', async () => {
      const cacheRef = `${REPO}:root-buildcache-${randomBytes(3).toString('hex')}`;
      expect(await remoteDigest(cacheRef)).toBeNull();
      const r = await nx([
        'run',
        'root:image-build',
        '--push',
        `--repository=${REPO}`,
        '--platforms=linux/amd64',
        '--sbom=false',
        '--provenance=false',
        `--caBundle=${CA_BUNDLE}`,
        // A build arg of its own gives root a content hash nothing has yet, so it really builds.
        `--buildArgs.CACHE_TEST=${randomBytes(4).toString('hex')}`,
        `--cacheTo=type=registry,ref=${cacheRef},mode=max`,
        '--cacheFrom=registry',
      ]);
      expectOk(r);
      expect(readResult('root').result).toBe('built');
      expect(await remoteDigest(cacheRef), `${cacheRef}: the exported cache`).not.toBeNull();
    });
  },
);
