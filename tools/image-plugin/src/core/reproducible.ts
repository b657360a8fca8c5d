/**
 * Reproducible builds: every build gets SOURCE_DATE_EPOCH (the commit's committer time), and a pushed
 * output gets BuildKit's timestamp rewriting where the builder supports it. The docker driver (BuildKit
 * inside dockerd) refuses `rewrite-timestamp=true` on its image outputs ("conflicts with unpack"), so there
 * the pushed layers keep the build's file times; a docker-container, kubernetes or remote builder rewrites
 * them. See docs/image-build.md, "Reproducibility".
 */

/** The build argument (and BuildKit's name) of the time every timestamp of the image is clamped to. */
export const SOURCE_DATE_EPOCH = 'SOURCE_DATE_EPOCH';

/** What a build needs for its bytes to be a function of the commit. */
export interface Reproducibility {
  /** Seconds since 1970 of the commit (HEAD's committer time, a dirty tree included). */
  sourceDateEpoch: number;
  /** Whether the pushed output gets `rewrite-timestamp=true`. */
  rewriteTimestamps: boolean;
}

/** The `Driver:` of `docker buildx inspect [builder]`'s output; null when it has none. */
export function builderDriver(inspectOutput: string): string | null {
  const line = inspectOutput.split('\n').find((l) => /^Driver:\s/.test(l));
  return line ? line.replace(/^Driver:\s*/, '').trim() || null : null;
}

/** Whether a builder of this driver can rewrite timestamps of an image it pushes. */
export function rewritesTimestamps(driver: string | null): boolean {
  return driver !== null && driver !== 'docker';
}

/** The one line a run says when its pushed images keep the build's file times; null when they do not. */
export function timestampNote(builder: string | undefined, driver: string | null): string | null {
  if (rewritesTimestamps(driver)) return null;
  const name = builder ?? 'the default builder';
  const why =
    driver === 'docker'
      ? `${name} uses the docker driver, whose image outputs refuse rewrite-timestamp`
      : `the driver of ${name} is unknown (docker buildx inspect did not tell it)`;
  return `timestamps are not rewritten: ${why}; files keep the build's times, so two builds of one commit differ (SOURCE_DATE_EPOCH still sets the image's dates). A docker-container builder rewrites them: docker buildx create --driver docker-container --use`;
}

/** The commit's time as the image's `org.opencontainers.image.created` label. */
export function createdLabel(sourceDateEpoch: number): string {
  return new Date(sourceDateEpoch * 1000).toISOString();
}
