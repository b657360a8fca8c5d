import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { MIRROR_REGISTRY } from '../../test-env/env';
import { readDockerfile } from '../src/core/dockerfile';

/**
 * The plugin's ARG expansion against the real engine's Dockerfile frontend: each Dockerfile names an
 * image that does not exist in the mirror registry, so BuildKit stops at "load metadata for <ref>",
 * naming the reference it expanded. The plugin must read the same reference from the same file.
 */
const R = `${MIRROR_REGISTRY}/expansion-${randomBytes(3).toString('hex')}`;
const context = mkdtempSync(join(tmpdir(), 'expansion-context-'));
afterAll(() => rmSync(context, { recursive: true, force: true }));

/** The reference BuildKit resolved for the first FROM, or its error. */
async function buildkitReference(
  dockerfile: string,
  buildArgs: Record<string, string>,
): Promise<{ ref?: string; error?: string }> {
  const args = Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  const r = await execa('docker', ['buildx', 'build', '--progress=plain', ...args, '-f', '-', context], {
    input: dockerfile,
    reject: false,
    all: true,
    timeout: 60_000,
  });
  const output = String(r.all);
  const ref = /\[internal\] load metadata for (\S+)/.exec(output)?.[1];
  return ref ? { ref } : { error: /ERROR: (.*)/.exec(output)?.[1] ?? output.slice(-300) };
}

describe('ARG expansion: the plugin reads what BuildKit builds', () => {
  const cases: Array<{ name: string; lines: string[]; buildArgs?: Record<string, string> }> = [
    { name: 'chained ARGs', lines: [`ARG REGISTRY=${R}`, 'ARG BASE=$REGISTRY/x:base', 'FROM $BASE'] },
    {
      name: 'chained ARGs, the first overridden',
      lines: [`ARG REGISTRY=${R}`, 'ARG BASE=$REGISTRY/x:base', 'FROM $BASE'],
      buildArgs: { REGISTRY: `${R}/over` },
    },
    {
      name: 'an ARG without default, set by a build arg',
      lines: ['ARG A', `ARG B=\${A:-${R}/s}`, 'FROM $B:t'],
      buildArgs: { A: `${R}/tt` },
    },
    {
      name: 'an undeclared build arg is not seen',
      lines: [`ARG C=\${B:-${R}/fromc}`, 'FROM $C:t'],
      buildArgs: { B: `${R}/bb` },
    },
    { name: 'a default using a later ARG', lines: [`ARG B=${R}/r\${A}`, 'ARG A=x', 'FROM $B:t'] },
    {
      name: 'empty and unset with and without colon',
      lines: ['ARG E=', 'ARG N', `FROM ${R}/e\${E:-d}\${N-n}\${U-u}:t`],
    },
    { name: 'quotes', lines: ['ARG T=tt', `ARG A="${R}/q-$T"`, 'FROM "$A":t'] },
    { name: 'pattern operators', lines: [`ARG A=${R}/p-v1.2.3`, 'ARG B=${A%.*}', 'FROM ${B/p/x}:t'] },
    { name: 'nested defaults', lines: [`FROM \${X:-\${Y:-${R}/nest}}:t`] },
    { name: 'escape directive', lines: ['# escape=`', `ARG A=${R}/esc`, 'FROM ${A}:t'] },
  ];
  it.each(cases)('$name', async ({ lines, buildArgs }) => {
    const text = `${lines.join('\n')}\n`;
    const ours = readDockerfile('images/x/Dockerfile', text, buildArgs).froms[0].ref;
    const theirs = await buildkitReference(text, buildArgs ?? {});
    expect(theirs, theirs.error).toEqual({ ref: ours });
  });

  const refused: Array<{ name: string; lines: string[]; buildArgs?: Record<string, string>; buildkit: RegExp }> = [
    { name: 'a single-quoted variable', lines: [`ARG A=${R}/x`, "FROM '$A':t"], buildkit: /invalid reference format/ },
    { name: 'an escaped variable', lines: [`ARG A=${R}/x`, 'FROM \\$A:t'], buildkit: /invalid reference format/ },
    {
      name: 'a build arg with a $',
      lines: [`ARG A=${R}/x`, 'FROM $A:t'],
      buildArgs: { A: '$B' },
      buildkit: /invalid reference format/,
    },
    { name: 'a required variable', lines: ['ARG A', 'FROM x${A:?need-A}'], buildkit: /A: need-A/ },
  ];
  it.each(refused)('refused by both: $name', async ({ lines, buildArgs, buildkit }) => {
    const text = `${lines.join('\n')}\n`;
    expect(() => readDockerfile('images/x/Dockerfile', text, buildArgs)).toThrow(
      /images\/x\/Dockerfile:2: [\s\S]*fix: /,
    );
    const theirs = await buildkitReference(text, buildArgs ?? {});
    expect(theirs.error).toMatch(buildkit);
  });
});
