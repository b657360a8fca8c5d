import { describe, expect, it } from 'vitest';
import { buildxInvocation, sourceUrl, type InvocationInput } from './build-invocation';
import { buildSettings, type ImageBuildOptions } from './build-options';
import type { ImageSpec } from './image-spec';
import { imageTags } from './tags';

const spec: ImageSpec = {
  name: 'node',
  root: 'images/node',
  dockerfile: 'images/node/Dockerfile',
  parents: [{ image: 'base', line: 2, arg: 'BASE_IMAGE' }],
  externalBases: [],
  mountedInputs: [],
};
const input = (options: ImageBuildOptions, env: Record<string, string> = {}): InvocationInput => {
  const settings = buildSettings(
    { repository: 'ghcr.io/acme/images', ...options },
    { image: 'node', hostPlatform: 'linux/amd64', env },
  );
  return {
    spec,
    settings,
    tags: imageTags({
      repository: settings.repository,
      layout: settings.layout,
      image: 'node',
      revision: '1a2b3c4',
      contentHash: '00ff',
    }),
    parentRefs: { base: 'ghcr.io/acme/images@sha256:11' },
    revision: '1a2b3c4d'.padEnd(40, '0'),
    revisionTag: '1a2b3c4',
    reproducibility: { sourceDateEpoch: 1795651200, rewriteTimestamps: false },
    metadataFile: '/tmp/m/metadata.json',
    workspaceRoot: '/ws',
  };
};

describe('buildxInvocation: the docker buildx build arguments', () => {
  it('a push: the content tag (the SHA tag follows the size check), the parent pinned by digest, OCI labels, attestations, metadata file, context', () => {
    const inv = buildxInvocation(input({ push: true }, { CI: 'true' }));
    expect(inv.buildArgs).toEqual({ BASE_IMAGE: 'ghcr.io/acme/images@sha256:11' });
    expect(inv.labels).toEqual({
      'org.opencontainers.image.source': 'https://github.com/acme/images',
      'org.opencontainers.image.revision': '1a2b3c4d'.padEnd(40, '0'),
      'org.opencontainers.image.created': '2026-11-26T00:00:00.000Z',
      'org.opencontainers.image.title': 'node',
      'org.opencontainers.image.version': '1a2b3c4',
    });
    expect(inv.args).toEqual([
      '--file',
      'images/node/Dockerfile',
      '--platform',
      'linux/amd64',
      '--build-arg',
      'BASE_IMAGE=ghcr.io/acme/images@sha256:11',
      '--build-arg',
      'SOURCE_DATE_EPOCH=1795651200',
      '--label',
      'org.opencontainers.image.source=https://github.com/acme/images',
      '--label',
      `org.opencontainers.image.revision=${'1a2b3c4d'.padEnd(40, '0')}`,
      '--label',
      'org.opencontainers.image.created=2026-11-26T00:00:00.000Z',
      '--label',
      'org.opencontainers.image.title=node',
      '--label',
      'org.opencontainers.image.version=1a2b3c4',
      '--tag',
      'ghcr.io/acme/images:node-content-00ff',
      '--push',
      '--provenance=mode=max',
      '--sbom=true',
      '--metadata-file',
      '/tmp/m/metadata.json',
      '--progress',
      'plain',
      '/ws',
    ]);
  });

  it.each([
    {
      name: 'local: both tags, --load, no attestations',
      options: {},
      has: [
        'ghcr.io/acme/images:node-1a2b3c4',
        'ghcr.io/acme/images:node-content-00ff',
        '--load',
        '--provenance=false',
      ],
      lacks: ['--push', '--sbom=true'],
    },
    {
      name: 'a dirty local build: the version label says so',
      options: {},
      revisionTag: '1a2b3c4-dirty',
      has: ['org.opencontainers.image.version=1a2b3c4-dirty'],
      lacks: [],
    },
    {
      name: 'pushByDigest: only the per-platform content tag',
      options: { push: true, pushByDigest: true, platforms: 'linux/arm64', indexPlatforms: 'linux/amd64,linux/arm64' },
      has: ['ghcr.io/acme/images:node-content-00ff-linux-arm64', '--push'],
      lacks: ['ghcr.io/acme/images:node-1a2b3c4'],
    },
    {
      name: 'a builder, the CA bundle and secrets, caches',
      options: {
        builder: 'remote',
        caBundle: '/ca.crt',
        secrets: ['id=npm,src=/n'],
        cacheFrom: 'registry',
        cacheTo: 'gha',
      },
      has: [
        '--builder',
        'remote',
        'id=ca-bundle,src=/ca.crt',
        'id=npm,src=/n',
        'type=registry,ref=ghcr.io/acme/images:node-buildcache',
        'type=gha,scope=node,mode=max',
      ],
      lacks: [],
    },
    {
      name: "a push with zstd: every layer recompressed (the parent's too) in OCI media types",
      options: { push: true, compression: 'zstd' as const },
      has: ['--output type=image,compression=zstd,force-compression=true,oci-mediatypes=true --provenance'],
      lacks: ['--load'],
    },
    {
      name: 'one platform by digest with zstd: the same output',
      options: { push: true, pushByDigest: true, platforms: 'linux/arm64', compression: 'zstd' as const },
      has: ['node-content-00ff-linux-arm64 --push --output type=image,compression=zstd,force-compression=true'],
      lacks: [],
    },
    {
      name: "gzip (the default) given: buildx's own output, as without the option",
      options: { push: true, compression: 'gzip' as const },
      has: ['--push --provenance'],
      lacks: ['--output'],
    },
    {
      name: 'a local build with zstd: loaded through the docker exporter with the layers a push would send',
      options: { compression: 'zstd' as const },
      has: ['--output type=docker,compression=zstd,force-compression=true,oci-mediatypes=true --provenance'],
      lacks: ['--load'],
    },
    {
      name: "a local build with gzip: --load, buildx's own output",
      options: { compression: 'gzip' as const },
      has: ['--load'],
      lacks: ['--output'],
    },
    {
      name: 'an SBOM generator',
      options: { push: true, sbomGenerator: 'me/scanner:1' },
      has: ['--attest=type=sbom,generator=me/scanner:1'],
      lacks: ['--sbom=true'],
    },
  ])('$name', ({ options, has, lacks, revisionTag }) => {
    const i = input(options);
    const inv = buildxInvocation(revisionTag ? { ...i, revisionTag } : i);
    const joined = inv.args.join(' ');
    for (const a of has) expect(joined).toContain(a);
    for (const a of lacks) expect(inv.args).not.toContain(a);
  });

  it("the image's devcontainer.metadata label, as one --label argument (the JSON whole, commas and all)", () => {
    const label = '[{"remoteUser":"coder","privileged":true},{"mounts":["type=volume,source=a,target=/b"]}]';
    const i = input({});
    const inv = buildxInvocation({ ...i, spec: { ...spec, devcontainerLabel: label } });
    expect(inv.labels['devcontainer.metadata']).toBe(label);
    expect(inv.args[inv.args.indexOf(`devcontainer.metadata=${label}`) - 1]).toBe('--label');
    expect(buildxInvocation(i).args.join(' ')).not.toContain('devcontainer.metadata');
  });

  it.each([
    {
      name: 'a push on a builder that rewrites timestamps: the registry output rewrites them',
      options: { push: true },
      rewriteTimestamps: true,
      has: ['--tag ghcr.io/acme/images:node-content-00ff --output type=registry,rewrite-timestamp=true'],
      lacks: ['--push'],
    },
    {
      name: 'a platform push by digest on such a builder: likewise',
      options: { push: true, pushByDigest: true, platforms: 'linux/arm64', indexPlatforms: 'linux/amd64,linux/arm64' },
      rewriteTimestamps: true,
      has: ['node-content-00ff-linux-arm64 --output type=registry,rewrite-timestamp=true'],
      lacks: ['--push'],
    },
    {
      name: 'a push on the docker driver: a plain push (it refuses rewrite-timestamp)',
      options: { push: true },
      rewriteTimestamps: false,
      has: ['--push'],
      lacks: ['type=registry,rewrite-timestamp=true'],
    },
    {
      name: 'a local build: loaded as built, never rewritten',
      options: {},
      rewriteTimestamps: true,
      has: ['--load'],
      lacks: ['type=registry,rewrite-timestamp=true', '--push'],
    },
  ])(
    '$name; SOURCE_DATE_EPOCH and the created label are the commit time',
    ({ options, rewriteTimestamps, has, lacks }) => {
      const inv = buildxInvocation({
        ...input(options),
        reproducibility: { sourceDateEpoch: 1700000000, rewriteTimestamps },
      });
      const joined = inv.args.join(' ');
      for (const a of has) expect(joined).toContain(a);
      for (const a of lacks) expect(inv.args).not.toContain(a);
      expect(joined).toContain('--build-arg SOURCE_DATE_EPOCH=1700000000');
      expect(inv.labels['org.opencontainers.image.created']).toBe('2023-11-14T22:13:20.000Z');
      // Never a build arg of the image's own: the content hash reads those, and the commit time is not content.
      expect(inv.buildArgs).not.toHaveProperty('SOURCE_DATE_EPOCH');
    },
  );

  it('is pure: the same input gives the same arguments', () => {
    expect(buildxInvocation(input({ push: true }))).toEqual(buildxInvocation(input({ push: true })));
  });

  it.each([
    ['ghcr.io/acme/images', 'https://github.com/acme/images'],
    ['127.0.0.1:5000/acme/images', 'https://127.0.0.1:5000/acme/images'],
  ])('sourceUrl(%s)', (repository, url) => expect(sourceUrl(repository)).toBe(url));
});
