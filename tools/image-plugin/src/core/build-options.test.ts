import { describe, expect, it } from 'vitest';
import { IMAGE_BUILD_SCHEMA } from '../executors/image-build/options-schema';
import {
  buildSettings,
  buildxEntries,
  checkBuildOptions,
  IMAGE_BUILD_OPTION_NAMES,
  parallelBuilds,
  profileOn,
  type ImageBuildOptions,
  type SettingsContext,
} from './build-options';
import { SHA_LENGTH } from './defaults';

const ctx = (extra: Partial<SettingsContext> = {}): SettingsContext => ({
  image: 'base',
  hostPlatform: 'linux/amd64',
  defaultRepository: 'ghcr.io/acme/images',
  env: {},
  ...extra,
});
const settings = (options: ImageBuildOptions, extra: Partial<SettingsContext> = {}) =>
  buildSettings(options, ctx(extra));

describe('buildSettings: platforms', () => {
  it('defaults to the host platform', () => {
    expect(settings({}).platforms).toEqual(['linux/amd64']);
  });

  it('takes a comma-separated string or an array', () => {
    expect(settings({ platforms: 'linux/amd64, linux/arm64' }).platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(settings({ platforms: ['linux/arm64', 'linux/arm/v7'] }).platforms).toEqual(['linux/arm64', 'linux/arm/v7']);
  });

  it('refuses a platform that is not os/arch[/variant], saying how to write it', () => {
    expect(() => settings({ platforms: 'amd64' })).toThrow(
      /"amd64" is not a platform[\s\S]*fix: write platforms as os\/arch/,
    );
  });

  it.each(['bogus/arch', 'linux/bogus', 'linux/amd64/x', 'linux/arm/v7/extra'])(
    'refuses %s, which Docker does not know, naming the option',
    (platform) => {
      expect(() => settings({ platforms: `linux/amd64,${platform}` })).toThrow(
        new RegExp(`^image-build option platforms: "${platform}" is not a platform`),
      );
    },
  );

  it.each(['linux/arm/v7', 'linux/amd64/v3', 'linux/riscv64', 'windows/amd64', 'linux/s390x'])(
    'takes %s',
    (platform) => {
      expect(settings({ platforms: platform }).platforms).toEqual([platform]);
    },
  );
});

describe('buildSettings: the CA bundle', () => {
  it('refuses a caBundle file that does not exist, naming the option', () => {
    expect(() => settings({ caBundle: '/no/such.pem' }, { fileExists: () => false })).toThrow(
      /^image-build option caBundle: "\/no\/such.pem" does not exist\n {2}fix: give the path of a PEM file/,
    );
  });
  it('names IMAGE_BUILD_CA_BUNDLE when the path came from it', () => {
    expect(() => settings({}, { fileExists: () => false, env: { IMAGE_BUILD_CA_BUNDLE: '/gone.pem' } })).toThrow(
      /^IMAGE_BUILD_CA_BUNDLE: "\/gone.pem" does not exist/,
    );
  });
  it('takes one that exists', () => {
    expect(settings({ caBundle: '/ok.pem' }, { fileExists: (p) => p === '/ok.pem' }).caBundle).toBe('/ok.pem');
  });
});

describe('checkBuildOptions: the schema is the one owner of what an option may be', () => {
  const check = (options: Record<string, unknown>) => () =>
    checkBuildOptions(options, IMAGE_BUILD_SCHEMA, IMAGE_BUILD_OPTION_NAMES);
  it.each([
    [{ bogus: true }, /^image-build: unknown option --bogus\n {2}fix: use one of push, platforms, /],
    [{ platfroms: 'linux/amd64' }, /^image-build: unknown option --platfroms\n {2}fix: did you mean platforms\?/],
    [{ buildArgs: 'FOO' }, /^image-build option buildArgs: FOO is not NAME=value\n {2}fix: --buildArgs.FOO=<value>/],
    [{ push: 'yes' }, /^image-build option push: "yes" is not true or false/],
    [{ shaLength: 'abc' }, /^image-build option shaLength: "abc" is not a number/],
    [
      { layout: 'flat' },
      /^image-build option layout: "flat" is not one of single, per-image\n {2}fix: use single or per-image/,
    ],
    [{ progress: 'loud' }, /^image-build option progress: "loud" is not one of auto, plain, tty, quiet/],
    [
      { compression: 'xz' },
      /^image-build option compression: "xz" is not one of gzip, zstd\n {2}fix: use gzip or zstd/,
    ],
    [{ platforms: ['linux/amd64', 'bogus/arch'] }, /^image-build option platforms: "bogus\/arch" is not a platform/],
    [{ repository: 'acme images' }, /^image-build option repository: "acme images" is not a repository name/],
    [{ cacheFrom: true }, /^image-build option cacheFrom: true is not a list or string/],
  ])('%j', (options, message) => {
    expect(check(options)).toThrow(message);
  });
  it('takes the options a real run has', () => {
    expect(
      check({
        push: true,
        platforms: ['linux/amd64', 'linux/arm64'],
        repository: '127.0.0.1:5000/acme/images',
        layout: 'per-image',
        buildArgs: { A: '1' },
        cacheFrom: ['registry'],
        shaLength: 8,
        dryRun: false,
        filter: 'x',
      }),
    ).not.toThrow();
  });
});

describe('buildSettings: cache and secrets keep the commas of buildx values', () => {
  it('a raw cache value from the command line is one entry, not split at its commas', () => {
    const s = settings({
      cacheFrom: 'type=gha,scope=base-linux-amd64',
      cacheTo: 'type=gha,scope=base-linux-amd64,mode=max,ignore-error=true',
    });
    expect(s.cacheFrom).toEqual(['type=gha,scope=base-linux-amd64']);
    expect(s.cacheTo).toEqual(['type=gha,scope=base-linux-amd64,mode=max,ignore-error=true']);
  });

  it('several entries come as an array (nx.json, or a repeated flag)', () => {
    expect(settings({ cacheFrom: ['registry', 'type=local,src=/tmp/{image}'] }).cacheFrom).toEqual([
      'type=registry,ref=ghcr.io/acme/images:base-buildcache',
      'type=local,src=/tmp/base',
    ]);
  });

  it('expands the registry and gha shorthands per image, mode=max only for export', () => {
    const s = settings({ cacheFrom: ['registry', 'gha'], cacheTo: ['registry', 'gha'] }, { image: 'node' });
    expect(s.cacheFrom).toEqual(['type=registry,ref=ghcr.io/acme/images:node-buildcache', 'type=gha,scope=node']);
    expect(s.cacheTo).toEqual([
      'type=registry,ref=ghcr.io/acme/images:node-buildcache,mode=max',
      'type=gha,scope=node,mode=max',
    ]);
  });

  it('the registry shorthand follows the per-image layout', () => {
    expect(settings({ cacheFrom: 'registry', layout: 'per-image' }).cacheFrom).toEqual([
      'type=registry,ref=ghcr.io/acme/images/base:buildcache',
    ]);
  });

  it('a secret with src is one entry', () => {
    expect(settings({ secrets: 'id=npmrc,src=/home/me/.npmrc' }).secrets).toEqual(['id=npmrc,src=/home/me/.npmrc']);
    expect(settings({ secrets: ['id=a,src=/a', 'id=b,env=B'] }).secrets).toEqual(['id=a,src=/a', 'id=b,env=B']);
  });
});

describe('buildxEntries: values Nx split at their commas are joined back', () => {
  it.each([
    ['one value, split by Nx', ['type=registry', 'ref=r:c', 'mode=max'], ['type=registry,ref=r:c,mode=max']],
    [
      'two values in one flag',
      ['type=gha', 'scope=a', 'type=registry', 'ref=r:c'],
      ['type=gha,scope=a', 'type=registry,ref=r:c'],
    ],
    ['shorthands stand alone', ['registry', 'gha'], ['registry', 'gha']],
    ['a shorthand, then a value', ['gha', 'type=local', 'src=/c'], ['gha', 'type=local,src=/c']],
    [
      'a bare cache reference',
      ['ghcr.io/acme/cache:base', 'type=gha', 'scope=b'],
      ['ghcr.io/acme/cache:base', 'type=gha,scope=b'],
    ],
    [
      'secrets: a new id starts a new one',
      ['id=npm', 'src=/n', 'id=pip', 'env=PIP'],
      ['id=npm,src=/n', 'id=pip,env=PIP'],
    ],
    [
      'secrets: type before id',
      ['type=file', 'id=a', 'src=/a', 'type=env', 'id=b'],
      ['type=file,id=a,src=/a', 'type=env,id=b'],
    ],
    [
      'whole values from nx.json stay as they are',
      ['type=gha,scope=a,mode=max', 'type=registry,ref=r:c'],
      ['type=gha,scope=a,mode=max', 'type=registry,ref=r:c'],
    ],
    ['a plain string is one value', 'type=gha,scope=a,mode=max', ['type=gha,scope=a,mode=max']],
    ['nothing', undefined, []],
  ] as Array<[string, string[] | string | undefined, string[]]>)('%s', (_, input, expected) => {
    expect(buildxEntries(input)).toEqual(expected);
  });
});

describe('buildSettings: defaults and checks', () => {
  it('lowercases the repository and trims a trailing slash; none at all is an error with the fix', () => {
    expect(settings({ repository: 'GHCR.io/Acme/Images/' }).repository).toBe('ghcr.io/acme/images');
    expect(() => settings({}, { defaultRepository: undefined })).toThrow(/no repository[\s\S]*fix: set "repository"/);
  });

  it('attestations follow push unless set', () => {
    expect(settings({ push: true })).toMatchObject({ provenance: true, sbom: true });
    expect(settings({})).toMatchObject({ provenance: false, sbom: false });
    expect(settings({ push: true, sbom: false })).toMatchObject({ provenance: true, sbom: false });
  });

  it('sizeBudget: none by default; a size in bytes; a value from the command line that is not a size is refused', () => {
    expect(settings({}).sizeBudget).toBeNull();
    expect(settings({ sizeBudget: '700MiB' }).sizeBudget).toBe(700 * 1024 * 1024);
    expect(() => settings({ sizeBudget: 'big' })).toThrow(
      /^image-build options of base: sizeBudget "big" is not a size\n {2}fix: write the largest compressed size/,
    );
  });

  it('shaLength: 12 by default, the same default in schema.json (Nx fills it in), 7 kept when set', () => {
    expect(settings({}).shaLength).toBe(12);
    expect(SHA_LENGTH.default).toBe(12);
    expect(IMAGE_BUILD_SCHEMA.properties.shaLength.default).toBe(SHA_LENGTH.default);
    expect(settings({ shaLength: 7 }).shaLength).toBe(7);
  });

  it('shaLength must be 7 to 40', () => {
    expect(settings({ shaLength: 12 }).shaLength).toBe(12);
    expect(() => settings({ shaLength: 6 })).toThrow(/shaLength 6 is out of range/);
    expect(() => settings({ shaLength: 41 })).toThrow(/shaLength 41 is out of range/);
  });

  it('pushByDigest needs push and one platform; indexPlatforms must hold the built one', () => {
    expect(() => settings({ pushByDigest: true })).toThrow(/pushByDigest needs push/);
    expect(() => settings({ push: true, pushByDigest: true, platforms: 'linux/amd64,linux/arm64' })).toThrow(
      /one platform per job/,
    );
    expect(() =>
      settings({ push: true, pushByDigest: true, platforms: 'linux/arm64', indexPlatforms: 'linux/amd64' }),
    ).toThrow(/not all in indexPlatforms/);
    expect(
      settings({ push: true, pushByDigest: true, platforms: 'linux/arm64', indexPlatforms: 'linux/amd64,linux/arm64' })
        .indexPlatforms,
    ).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('progress is plain in CI and auto elsewhere; the CA bundle comes from the option or IMAGE_BUILD_CA_BUNDLE', () => {
    expect(settings({}, { env: { CI: 'true' } }).progress).toBe('plain');
    expect(settings({}).progress).toBe('auto');
    expect(settings({}, { env: { IMAGE_BUILD_CA_BUNDLE: '/etc/ca.pem' } }).caBundle).toBe('/etc/ca.pem');
    expect(settings({ caBundle: '/opt/ca.pem' }, { env: { IMAGE_BUILD_CA_BUNDLE: '/etc/ca.pem' } }).caBundle).toBe(
      '/opt/ca.pem',
    );
    expect(settings({}).caBundle).toBeUndefined();
  });
});

describe('parallelBuilds: IMAGE_BUILD_PARALLEL', () => {
  it.each([
    { given: undefined, n: 3 },
    { given: '', n: 3 },
    { given: '1', n: 1 },
    { given: '8', n: 8 },
  ])('$given -> $n', ({ given, n }) => {
    expect(parallelBuilds({ IMAGE_BUILD_PARALLEL: given })).toBe(n);
  });

  it.each(['abc', '0', '-2', '1.5'])('%s is refused, naming the setting and the fix', (given) => {
    expect(() => parallelBuilds({ IMAGE_BUILD_PARALLEL: given })).toThrow(
      `IMAGE_BUILD_PARALLEL: "${given}" is not a whole number above 0\n  fix: set it to how many builds may run at once`,
    );
  });
});

describe('profileOn: the option first, then IMAGE_BUILD_PROFILE (the settings and the batch ask it)', () => {
  it.each([
    { option: undefined, env: {}, on: false },
    { option: undefined, env: { IMAGE_BUILD_PROFILE: '1' }, on: true },
    { option: undefined, env: { IMAGE_BUILD_PROFILE: 'true' }, on: true },
    { option: undefined, env: { IMAGE_BUILD_PROFILE: '0' }, on: false },
    { option: true, env: {}, on: true },
    { option: false, env: { IMAGE_BUILD_PROFILE: '1' }, on: false },
  ])('profile: $option, env $env -> $on', ({ option, env, on }) => {
    expect(profileOn(option, env)).toBe(on);
    expect(settings(option === undefined ? {} : { profile: option }, { env }).profile).toBe(on);
  });
});
