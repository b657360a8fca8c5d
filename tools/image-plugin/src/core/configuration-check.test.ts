import { describe, expect, it } from 'vitest';
import { configurationProblem, shaLengthProblem, tagsOfImage, type ConfigurationFacts } from './configuration-check';
import { isTagOf, TAG_GRAMMAR } from './tags';

const image = (name: string) => ({ name, dockerfile: `images/${name}/Dockerfile` });
const FAMILY = ['base', 'node', 'cpp', 'developer'].map(image);
const OPTIONS = { dockerfileGlob: 'images/*/Dockerfile', repository: 'ghcr.io/acme/workspace-images' };

const facts = (change: Partial<ConfigurationFacts> & { build?: Record<string, unknown> } = {}): ConfigurationFacts => ({
  entries: [{ options: OPTIONS, line: 9 }],
  written: OPTIONS,
  images: FAMILY,
  lineOf: (keys) => (keys.at(-1) === 'buildTargetName' ? 14 : keys.at(-1) === 'shaLength' ? 17 : undefined),
  ...change,
  options: { layout: 'single', buildTargetName: 'image-build', build: change.build ?? {}, ...change.options },
});

describe('configurationProblem: what the configuration means, checked once at graph time', () => {
  it('the sample family, as configured, is good', () => {
    expect(configurationProblem(facts())).toBeUndefined();
  });

  it.each<{ name: string; facts: ConfigurationFacts; file: string; line?: number; says: RegExp; fix: RegExp }>([
    {
      name: 'two entries with different options (the second refuses)',
      facts: facts({
        entries: [
          { options: OPTIONS, line: 9 },
          { options: { ...OPTIONS, layout: 'per-image' }, line: 16 },
        ],
        written: { ...OPTIONS, layout: 'per-image' },
      }),
      file: 'nx.json',
      line: 16,
      says: /nx\.json has 2 image plugin entries \(line 9 and line 16\) with different options/,
      fix: /keep one image plugin entry/,
    },
    {
      name: 'buildTargetName is the test target',
      facts: facts({ options: { layout: 'single', buildTargetName: 'image-test', build: {} } }),
      file: 'nx.json',
      line: 14,
      says: /buildTargetName "image-test" is also the name of the plugin's test target/,
      fix: /a name of its own/,
    },
    {
      name: 'buildTargetName empty',
      facts: facts({ options: { layout: 'single', buildTargetName: ' ', build: {} } }),
      file: 'nx.json',
      line: 14,
      says: /buildTargetName is empty/,
      fix: /"image-build" \(the default\)/,
    },
    {
      name: 'buildTargetName with a colon',
      facts: facts({ options: { layout: 'single', buildTargetName: 'image:build', build: {} } }),
      file: 'nx.json',
      line: 14,
      says: /has a ":"/,
      fix: /without ":"/,
    },
    {
      name: 'shaLength 3 (below the bounds)',
      facts: facts({ build: { shaLength: 3 } }),
      file: 'nx.json',
      line: 17,
      says: /build\.shaLength 3 is not a whole number from 7 to 40/,
      fix: /from 7 to 40, e\.g\. 12/,
    },
    {
      name: 'shaLength "abc" (text)',
      facts: facts({ build: { shaLength: 'abc' } }),
      file: 'nx.json',
      line: 17,
      says: /build\.shaLength "abc" is not a whole number/,
      fix: /e\.g\. 12/,
    },
    {
      name: 'image name that is no tag (c++)',
      facts: facts({ images: [...FAMILY, image('c++')] }),
      file: 'images/c++/Dockerfile',
      says: /the image name "c\+\+" cannot be a tag: its tag "c\+\+" does not fit/,
      fix: /rename the folder images\/c\+\+/,
    },
    {
      name: 'image name too long for its tags',
      facts: facts({ images: [image('x'.repeat(100))] }),
      file: `images/${'x'.repeat(100)}/Dockerfile`,
      says: /cannot be a tag/,
      fix: /at most 63 characters/,
    },
    {
      name: 'image name that is no repository path (per-image layout)',
      facts: facts({
        options: { layout: 'per-image', buildTargetName: 'image-build', build: {} },
        images: [image('a..b')],
      }),
      file: 'images/a..b/Dockerfile',
      says: /"a\.\.b" cannot be a repository name \(<repository>\/a\.\.b\)/,
      fix: /rename the folder images\/a\.\.b/,
    },
    {
      name: "base-edge writes base's edge tag",
      facts: facts({ images: [...FAMILY, image('base-edge')] }),
      file: 'images/base-edge/Dockerfile',
      says: /the image "base-edge" writes the tag base-edge, which is also a tag of the image "base" \(images\/base\/Dockerfile\)/,
      fix: /rename the folder images\/base-edge .*"layout": "per-image"/,
    },
    {
      name: "base-content writes tags of base's content tags' shape",
      facts: facts({ images: [...FAMILY, image('base-content')] }),
      file: 'images/base-content/Dockerfile',
      says: /"base-content" writes the tag base-content-1, which is also a tag of the image "base"/,
      fix: /does not start with "base-"/,
    },
    {
      name: "base-1 is base's release tag of v1 (listed before base)",
      facts: facts({ images: [image('base-1'), ...FAMILY] }),
      file: 'images/base-1/Dockerfile',
      says: /"base-1" writes the tag base-1, which is also a tag of the image "base"/,
      fix: /rename the folder images\/base-1/,
    },
    {
      name: "node-22.1 is node's release tag of v22.1",
      facts: facts({ images: [...FAMILY, image('node-22.1')] }),
      file: 'images/node-22.1/Dockerfile',
      says: /"node-22\.1" writes the tag node-22\.1, which is also a tag of the image "node"/,
      fix: /rename/,
    },
    {
      name: "base-buildcache is base's cache tag",
      facts: facts({ images: [...FAMILY, image('base-buildcache')] }),
      file: 'images/base-buildcache/Dockerfile',
      says: /writes the tag base-buildcache/,
      fix: /rename/,
    },
    {
      name: "base-1a2b3c4 is base's tag of a commit",
      facts: facts({ images: [...FAMILY, image('base-1a2b3c4')] }),
      file: 'images/base-1a2b3c4/Dockerfile',
      says: /writes the tag base-1a2b3c4, which is also a tag of the image "base"/,
      fix: /rename/,
    },
  ])('$name', ({ facts: f, file, line, says, fix }) => {
    const e = configurationProblem(f);
    expect(e?.kind).toBe('configuration');
    expect(e?.file).toBe(file);
    expect(e?.line).toBe(line);
    expect(e?.problem).toMatch(says);
    expect(e?.fix).toMatch(fix);
  });

  it.each([
    {
      name: 'two entries with the same options (keys in another order)',
      entries: [OPTIONS, { repository: OPTIONS.repository, dockerfileGlob: OPTIONS.dockerfileGlob }],
    },
    {
      name: 'the first of two different entries (the second refuses)',
      entries: [OPTIONS, { ...OPTIONS, layout: 'per-image' }],
    },
  ])('accepted: $name', ({ entries }) => {
    expect(configurationProblem(facts({ entries: entries.map((options) => ({ options })) }))).toBeUndefined();
  });

  it.each([
    { name: 'names that only look alike', images: ['base', 'base-dev', 'basement', 'base-content-x', 'node-lts'] },
    {
      name: 'the per-image layout keeps every image in its own repository',
      images: ['base', 'base-edge', 'base-1'],
      layout: 'per-image' as const,
    },
    { name: 'names with _ and .', images: ['py_3', 'py.3', 'base'] },
  ])('accepted: $name', ({ images, layout }) => {
    const f = facts({
      images: images.map(image),
      options: { layout: layout ?? 'single', buildTargetName: 'image-build', build: {} },
    });
    expect(configurationProblem(f)).toBeUndefined();
  });
});

describe('tagsOfImage and isTagOf: the tags an image writes are the tags it owns', () => {
  it.each(['base', 'node-22x', 'py_3'])('%s owns every tag it writes, each in the tag grammar', (name) => {
    const tags = tagsOfImage(name, 'single', { platforms: ['linux/arm/v7'] });
    expect(tags).toEqual(
      expect.arrayContaining([
        name,
        `${name}-0123456789ab`,
        `${name}-0123456789ab-dirty`,
        `${name}-edge`,
        `${name}-1.2.3_build.5`,
      ]),
    );
    expect(tags).toContain(`${name}-content-0123456789abcdef-linux-arm-v7`);
    for (const tag of tags) {
      expect(isTagOf(name, tag), tag).toBe(true);
      expect(tag).toMatch(TAG_GRAMMAR);
    }
  });

  it.each([
    { image: 'base', tag: 'base-dev', owns: false },
    { image: 'base', tag: 'basement', owns: false },
    { image: 'base', tag: 'base-content-x', owns: false },
    { image: 'base', tag: 'base-1.3.0-rc.1', owns: true },
    { image: 'base', tag: 'base-1a2b3c4', owns: true }, // 7 digits: a workspace that keeps build.shaLength 7
    { image: 'base', tag: 'base-1a2b3c4d5e6f', owns: true },
    { image: 'base', tag: 'base-1a2b3c', owns: false }, // below SHA_LENGTH.min
    { image: 'base', tag: 'base-content-00ff-linux-amd64', owns: true },
  ])('isTagOf($image, $tag) is $owns', ({ image: name, tag, owns }) => {
    expect(isTagOf(name, tag)).toBe(owns);
  });
});

describe('shaLengthProblem: a SHA length as nx.json or a project.json writes it', () => {
  it.each([
    { value: undefined, refused: false },
    { value: 7, refused: false },
    { value: 40, refused: false },
    { value: 6, refused: true },
    { value: 41, refused: true },
    { value: 7.5, refused: true },
    { value: 'abc', refused: true },
    { value: '12', refused: true },
  ])('$value: refused $refused', ({ value, refused }) => {
    const e = shaLengthProblem(value, 'targets.image-build.options.shaLength', 'images/base/project.json');
    expect(Boolean(e)).toBe(refused);
    if (e) {
      expect(e.message).toMatch(
        /^images\/base\/project\.json: targets\.image-build\.options\.shaLength .* is not a whole number from 7 to 40\n {2}fix: /,
      );
    }
  });
});
