import { EngineError, ImageConfigError, type ImageError } from './errors';
import { registryError } from './registry-errors';

/** BuildKit's own SBOM scanner, used when no sbomGenerator is set. */
export const BUILDKIT_SBOM_SCANNER = 'docker/buildkit-syft-scanner';

export interface FailedBuild {
  image: string;
  dockerfile: string;
  /** The reference being pushed (for the registry's messages). */
  ref: string;
  /** Everything buildx printed. */
  output: string;
  /** The SBOM scanner image the build used (BUILDKIT_SBOM_SCANNER unless sbomGenerator is set); none without an SBOM. */
  sbomScanner?: string;
  /** Whether the engine still answered after the build failed. */
  engineAnswers: boolean;
}

/**
 * What the docker CLI says when it has no buildx plugin (`'buildx' is not a docker command`; newer CLIs:
 * `unknown command: docker buildx`), or when there is no docker CLI at all (adapters/buildx.ts).
 */
const BUILDX_MISSING = /'buildx' is not a docker command|unknown command:? "?docker buildx|^docker: command not found/m;

/** How many of buildx's last lines a failure without an ERROR line is reported by. */
const LAST_LINES = 5;

/**
 * What buildx said last: its last `ERROR` line, or, when it printed none (killed, crashed), its last
 * few lines, never a fragment of one.
 */
export function buildxComplaint(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim());
  const error = [...lines].reverse().find((l) => /^(#\d+ )?ERROR\b/.test(l.trim()));
  if (error)
    return error
      .trim()
      .replace(/^(#\d+ )?ERROR:?\s*/, '')
      .slice(0, 400);
  if (lines.length === 0) return 'buildx printed nothing';
  return `buildx printed no error; its last lines:\n${lines
    .slice(-LAST_LINES)
    .map((l) => `    ${l.slice(0, 200)}`)
    .join('\n')}`;
}

/**
 * One clear error for a failed build, by what went wrong: the engine stopped under it, the registry
 * refused or failed, BuildKit could not pull the SBOM scanner, or a step of the Dockerfile failed
 * (its line) or something else (buildx's last words).
 */
export function buildFailure(build: FailedBuild): ImageError {
  // Asked of the build itself, not before it: a run that reuses everything starts no buildx process.
  if (BUILDX_MISSING.test(build.output)) {
    return new EngineError(
      'docker buildx is not installed',
      'install the buildx plugin (Debian: apt-get install docker-buildx; elsewhere: docker/buildx releases)',
      'docker engine',
    );
  }
  if (!build.engineAnswers) {
    return new EngineError(
      `the Docker engine stopped during the build of ${build.image}`,
      'start it again and re-run (what was built is cached)',
      'docker engine',
    );
  }
  const scanner = build.sbomScanner;
  const scannerName = scanner?.replace(/^docker\.io\//, '').replace(/[:@].*$/, '');
  const scannerLine =
    scannerName &&
    build.output
      .split('\n')
      .reverse()
      .find((l) => /ERROR|failed/i.test(l) && l.includes(scannerName));
  if (scanner && scannerLine) {
    return new ImageConfigError(
      `building ${build.image} failed: BuildKit cannot pull the SBOM scanner ${scanner} (${buildxComplaint(scannerLine)})`,
      `set the sbomGenerator option (or IMAGE_BUILD_SBOM_GENERATOR) to a scanner image this machine can pull, e.g. one built from tools/sbom-scanner, or pass --sbom=false to build without an SBOM attestation`,
      'image-build option sbomGenerator',
    );
  }
  const pushing =
    /(pushing|push|exporting to image|failed to authorize|failed to fetch oauth token|unexpected status from)/i;
  const registry = pushing.test(build.output) ? registryError(build.ref, build.output) : undefined;
  if (registry) return registry;
  const line = /^\s*(\d+)\s*\|\s*>>>/m.exec(build.output)?.[1];
  const stepFailed = /did not complete successfully/.test(build.output);
  return new ImageConfigError(
    `building ${build.image} failed: ${buildxComplaint(build.output)}`,
    stepFailed
      ? 'see the step output above; fix the failing command or the install script it runs, then run again'
      : 'see the buildx output above; check the Dockerfile, the builder (--builder) and the options',
    build.dockerfile,
    line ? Number(line) : undefined,
  );
}
