import { execa } from 'execa';
import type { ScratchWorkspace } from './scratch-workspace';

/** What a command run in the scratch workspace printed and how it ended. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  all: string;
}

/** The scratch workspace's environment, with nothing of the caller's CI or GitHub context, plus `extra`. */
export function workspaceEnv(ws: ScratchWorkspace, extra: Record<string, string> = {}): Record<string, string> {
  const env = { ...ws.env } as Record<string, string>;
  for (const key of Object.keys(env)) {
    if (/^(GITHUB_|IMAGE_RUN_ID$|IMAGE_BUILD_CA_BUNDLE$|NX_BASE$|NX_HEAD$|RUNNER_)/.test(key)) delete env[key];
  }
  return { ...env, ...extra };
}

/**
 * Runs a command in the scratch workspace without blocking the event loop (a fake API in the test
 * process answers meanwhile). The test registry (Distribution 2.8, filesystem storage) now and then
 * answers a HEAD with 500 "invalid checksum digest format" while tags of the same repository are written;
 * every CI command resumes or is idempotent, so such a run is repeated (at most three times), as one
 * would re-run the CI job, and `onRegistryRetry` hears of it.
 */
export async function runInWorkspace(
  ws: ScratchWorkspace,
  file: string,
  args: string[],
  options: { extra?: Record<string, string>; timeout: number; onRegistryRetry?: (what: string) => void },
): Promise<Run> {
  for (let attempt = 1; ; attempt++) {
    const r = await execa(file, args, {
      cwd: ws.root,
      env: workspaceEnv(ws, options.extra),
      extendEnv: false,
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: options.timeout,
    });
    const out: Run = { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr), all: String(r.all) };
    if (out.code === 0 || attempt === 3 || !/500 Internal Server Error/.test(out.all)) return out;
    options.onRegistryRetry?.(`${[file, ...args].join(' ')} (attempt ${attempt})`);
  }
}

/** An install script that writes `text` to /usr/local/share/hello.txt. */
export const helloScript = (text: string) =>
  `#!/bin/sh\nset -eu\nmkdir -p /usr/local/share\necho "${text}" > /usr/local/share/hello.txt\n`;

/** A child's Dockerfile FROM `repo:base` (through the BASE_IMAGE argument), with one instruction. */
export const childDockerfile = (repo: string, instruction: string) =>
  [`ARG BASE_IMAGE=${repo}:base`, 'FROM ${BASE_IMAGE}', instruction, ''].join('\n');

/**
 * The two-image family the CI tests run: base FROM debian:trixie-slim with the bind-mounted script
 * scripts/hello, and child FROM base with a file of its own (`childNotes`, to change it alone).
 */
export function twoImageFamily(repo: string, childNotes: string): Record<string, string> {
  return {
    'images/base/Dockerfile': [
      'FROM debian:trixie-slim',
      'RUN --mount=type=bind,source=scripts/hello,target=/scripts/hello sh /scripts/hello/install.sh',
      '',
    ].join('\n'),
    'images/child/Dockerfile': childDockerfile(repo, 'RUN echo child > /usr/local/share/child.txt'),
    'images/child/notes.txt': childNotes,
    'scripts/hello/install.sh': helloScript('hello 1'),
    '.dockerignore': '*\n!images/\n!scripts/\n',
  };
}
