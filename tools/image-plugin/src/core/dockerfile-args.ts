/** One global `ARG NAME=default` of a Dockerfile (before its first FROM), with its line. */
export interface ArgDefault {
  name: string;
  /** The default as written (unexpanded); null for `ARG NAME` without one. */
  value: string | null;
  line: number;
}

/** The global ARGs of a Dockerfile and their defaults, read with the Dockerfile parser. */
export function globalArgDefaults(content: string): ArgDefault[] {
  const { DockerfileParser } = require('dockerfile-ast') as typeof import('dockerfile-ast');
  return DockerfileParser.parse(content)
    .getInitialARGs()
    .flatMap((arg) =>
      arg.getProperties().map((property) => ({
        name: property.getName(),
        value: property.getUnescapedValue(),
        line: arg.getRange().start.line + 1,
      })),
    );
}
