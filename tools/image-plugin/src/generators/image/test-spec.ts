import type { NewImage } from './model';

/** A YAML single-quoted scalar. */
const quoted = (text: string) => `'${text.replace(/'/g, "''")}'`;
const words = (items: readonly string[]) => items.join(' ');

interface Check {
  name: string;
  run: string;
  stdout: string;
}

/**
 * The checks every image needs, from what its install scripts declare: their Debian packages are
 * installed, their pinned npm packages are there at that version, their home-persist manifests are
 * written; an image FROM an external base also checks that no script or apt list is left behind (a
 * child inherits that check from its ancestors).
 */
function imageChecks(image: NewImage): Check[] {
  const checks: Check[] = [];
  for (const step of image.steps) {
    if (step.aptPackages.length) {
      checks.push({
        name: `${step.tool}: Debian packages installed (${words(step.aptPackages)})`,
        run:
          `for p in ${words(step.aptPackages)}; do ` +
          `dpkg-query -W -f='\${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ` +
          '|| { echo "missing $p"; exit 1; }; ' +
          'done; echo all-installed',
        stdout: '^all-installed$',
      });
    }
    if (step.npmPackages.length) {
      checks.push({
        name: `${step.tool}: npm packages installed at their pinned versions (${words(step.npmPackages)})`,
        run:
          `for s in ${words(step.npmPackages)}; do ` +
          'npm ls --global --depth=0 "$s" >/dev/null || { echo "missing $s"; exit 1; }; done; echo all-installed',
        stdout: '^all-installed$',
      });
    }
    for (const manifest of step.manifests) {
      checks.push({
        name: `${step.tool}: home-persist manifest ${manifest}.json`,
        run: `grep -q '"paths"' /etc/home-persist.d/${manifest}.json && echo manifest-present`,
        stdout: '^manifest-present$',
      });
    }
  }
  if (!('parent' in image.from)) {
    checks.push({
      name: 'no install script or apt list left in the image',
      run:
        'test ! -e /scripts && ' +
        `test -z "$(ls /var/lib/apt/lists 2>/dev/null | grep -v -e '^lock$' -e '^partial$' -e '^auxfiles$')" ` +
        '&& echo clean',
      stdout: '^clean$',
    });
  }
  return checks;
}

/**
 * `images/<name>/image-test.yaml`: the image's own checks (its ancestors' checks run against it too), or
 * null when the image has none of its own (a child without scripts: an empty spec is refused, and a
 * check that asserts nothing would be worse; its ancestors' checks still run against it).
 */
export function renderTestSpec(image: NewImage): string | null {
  const inherited =
    'parent' in image.from ? ` (the ${image.from.parent} image's checks, and its ancestors', run against it too)` : '';
  const checks = imageChecks(image);
  const header = [
    `# Checks of the ${image.name} image${inherited}.`,
    '# Each check runs `run` with sh -c in a fresh container of the image; `expect` takes exitCode (default 0) and',
    '# stdout/stderr regular expressions; also user, env, boot (systemd as PID 1), volumes and timeout (seconds).',
    '# Add a check of what each tool does, not only that it is there.',
  ];
  if (!checks.length) return null;
  return [
    ...header,
    'checks:',
    ...checks.flatMap((c) => [
      `  - name: ${quoted(c.name)}`,
      '    run: |',
      `      ${c.run}`,
      `    expect: { stdout: ${quoted(c.stdout)} }`,
    ]),
    '',
  ].join('\n');
}
