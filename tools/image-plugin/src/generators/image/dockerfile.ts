import { PARENT_ARG } from '../shared/layout';
import type { InstallStep, NewImage } from './model';

const CA_SECRET = '--mount=type=secret,id=ca-bundle,target=/etc/ssl/certs/ca-certificates.crt';

/** A double-quoted LABEL value: quotes, backslashes and `$` (variable expansion) escaped. */
const labelValue = (text: string) => text.replace(/["\\$]/g, '\\$&');

/** One bind-mounted RUN per install script (the script never lands in a layer), as the family's Dockerfiles do. */
function runStep(step: InstallStep): string {
  const mounts = [
    ...(step.caBundle ? [CA_SECRET] : []),
    `--mount=type=bind,source=${step.source},target=/${step.source}`,
    ...(step.lib ? [`--mount=type=bind,source=${step.lib},target=/${step.lib}`] : []),
  ];
  return [
    `RUN ${mounts[0]} \\`,
    ...mounts.slice(1).map((m) => `    ${m} \\`),
    `    bash /${step.source}/install.sh`,
  ].join('\n');
}

/** The script that writes an image's contents record; the generator adds its step when the workspace has it. */
export const CONTENTS_RECORD_SCRIPT_FILE = 'scripts/contents-record/record.sh';

/** The image's last step: its contents record, a layer of its own (docs/contents.md). */
const recordStep = (name: string) => [
  '',
  "# The contents record, the image's last layer: what `npx images diff` reads. Keep it last; see docs/contents.md.",
  'RUN --mount=type=bind,source=scripts/contents-record,target=/scripts/contents-record \\',
  `    bash /${CONTENTS_RECORD_SCRIPT_FILE} ${name}`,
];

/** `images/<name>/Dockerfile` in the house style: header, FROM (parent by ARG, or external base), labels, steps. */
export function renderDockerfile(image: NewImage): string {
  const header = [
    `# The ${image.name} image: ${image.description}. See docs/images/${image.name}.md.`,
    `# Build from the workspace root: docker buildx build -f ${image.folder}/Dockerfile .`,
  ];
  if (image.steps.some((s) => s.caBundle)) {
    header.push(
      "# Steps that fetch over HTTPS mount the BuildKit secret `ca-bundle` (a TLS-intercepting proxy's CA;",
      '# optional): --secret id=ca-bundle,src=/etc/ssl/certs/ca-certificates.crt',
    );
  }
  const from =
    'parent' in image.from
      ? [
          `# CI passes the parent's digest: --build-arg ${PARENT_ARG}=<repo>@sha256:...`,
          `ARG ${PARENT_ARG}=${image.from.reference}`,
          `FROM \${${PARENT_ARG}}`,
        ]
      : [`FROM ${image.from.base}`];
  const labels = [
    `LABEL org.opencontainers.image.title="${image.title}" \\`,
    `      org.opencontainers.image.description="${labelValue(image.description)}"`,
  ];
  // A parent may end as another user; install scripts run as root.
  const steps = image.steps.length
    ? [
        '',
        ...('parent' in image.from ? ['USER root'] : []),
        '# One bind mount per install script: the script never lands in a layer.',
        ...image.steps.map(runStep),
      ]
    : [];
  return [
    ...header,
    ...from,
    '',
    ...labels,
    ...steps,
    ...(image.contentsRecord ? recordStep(image.name) : []),
    '',
  ].join('\n');
}
