import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { engine, localImageId } from '../adapters/engine';
import { readResult } from '../adapters/result-files';
import { DEVCONTAINER_METADATA_FILE, TEST_SPEC_FILE } from '../core/defaults';
import { labelUsers, type MetadataSource } from '../core/devcontainer-metadata';
import { ImageConfigError } from '../core/errors';
import { checkFailure, parseTestSpec, type ImageCheck } from '../core/test-spec';
import { platformResultKey } from '../core/build-decisions';
import { runCheck } from './run-check';

export interface TestRequest {
  workspaceRoot: string;
  image: string;
  /** The image and its ancestors' folders, root first: each one's spec runs against this image. */
  lineage: ReadonlyArray<{ name: string; root: string }>;
  resultsDir: string;
  /** Only checks whose "<image> › <name>" contains this text. */
  filter?: string;
  /** The one-platform result of a --pushByDigest build (CI tests each platform before the merge). */
  platform?: string;
  log: (line: string) => void;
}

export interface TestReport {
  image: string;
  reference: string;
  passed: string[];
  failed: Array<{ check: string; why: string; output: string }>;
}

/** The specs of an image and its ancestors, root first (jupyter/docker-stacks style: a child passes its parents' tests). */
function lineageChecks(
  workspaceRoot: string,
  lineage: TestRequest['lineage'],
): Array<{ owner: string; check: ImageCheck }> {
  return lineage.flatMap(({ name, root }) => {
    const file = join(root, TEST_SPEC_FILE);
    if (!existsSync(join(workspaceRoot, file))) return [];
    return parseTestSpec(file, readFileSync(join(workspaceRoot, file), 'utf8')).map((check) => ({
      owner: name,
      check,
    }));
  });
}

/**
 * A check per user the image's `devcontainer.metadata` label names (remoteUser, containerUser of the lineage's
 * metadata files): the dev containers CLI would run the container or its sessions as a user the image lacks.
 * It runs before anything is tagged in CI (like every check), so such a label is never published.
 */
function labelUserChecks(
  workspaceRoot: string,
  lineage: TestRequest['lineage'],
): Array<{ owner: string; check: ImageCheck }> {
  const sources = lineage.map(({ name, root }): MetadataSource | null => {
    const file = join(root, DEVCONTAINER_METADATA_FILE);
    const path = join(workspaceRoot, file);
    return existsSync(path) ? { image: name, file, text: readFileSync(path, 'utf8') } : null;
  });
  return labelUsers(sources).map(({ user, property, file, line }) => ({
    owner: sources.find((s) => s?.file === file)?.image ?? lineage[lineage.length - 1].name,
    check: {
      name: `devcontainer.metadata: the ${property} ${user} exists in the image`,
      run:
        `getent passwd '${user}' >/dev/null && echo present || ` +
        `echo "${file} names the ${property} ${user}, which the image lacks; fix: create the user in an install ` +
        `script of the image (as scripts/coder-user does), or name a user the image has"`,
      expect: { exitCode: 0, stdout: '^present$' },
      timeout: 120,
      file,
      line: line ?? 1,
    },
  }));
}

/** Runs every check of the lineage in fresh containers of the image image-build produced in this run. */
export async function runImageTests(req: TestRequest): Promise<TestReport> {
  const key = req.platform ? platformResultKey(req.image, req.platform) : req.image;
  const result = await readResult(req.workspaceRoot, req.resultsDir, key);
  if (!result) {
    throw new ImageConfigError(
      `${req.image} has no image-build result${req.platform ? ` for ${req.platform}` : ''} in ${req.resultsDir}`,
      req.platform
        ? `run npx nx run ${req.image}:image-build --push --pushByDigest --platforms=${req.platform} first`
        : `run npx nx run ${req.image}:image-test (it builds first), or npx nx run ${req.image}:image-build`,
      join(req.resultsDir, `${key}.json`),
    );
  }
  const reference = result.pinnedReference;
  if (!(await localImageId(reference))) {
    req.log(`${req.image}: pulling ${reference}`);
    const stream = await engine().pull(reference);
    await new Promise((resolve, reject) =>
      engine().modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve(null))),
    );
  }
  const checks = [
    ...labelUserChecks(req.workspaceRoot, req.lineage),
    ...lineageChecks(req.workspaceRoot, req.lineage),
  ].filter(({ owner, check }) => !req.filter || `${owner} › ${check.name}`.includes(req.filter));
  if (checks.length === 0) {
    throw new ImageConfigError(
      `no checks for ${req.image}`,
      `add ${join(req.lineage[req.lineage.length - 1].root, TEST_SPEC_FILE)} with a \`checks:\` list`,
    );
  }
  const report: TestReport = { image: req.image, reference, passed: [], failed: [] };
  for (const { owner, check } of checks) {
    const label = `${owner} › ${check.name}`;
    const started = Date.now();
    const outcome = await runCheck(reference, check);
    const why = checkFailure(check, outcome);
    const time = `${((Date.now() - started) / 1000).toFixed(1)}s`;
    if (why) {
      const output = `${outcome.stdout}${outcome.stderr}`.trim().split('\n').slice(-40).join('\n');
      report.failed.push({ check: label, why, output });
      req.log(`  ✗ ${label} (${time}): ${why}\n    at ${check.file}:${check.line}\n${output.replace(/^/gm, '    | ')}`);
    } else {
      report.passed.push(label);
      req.log(`  ✓ ${label} (${time})`);
    }
  }
  return report;
}
