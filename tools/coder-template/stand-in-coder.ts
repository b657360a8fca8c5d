import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in agent reported from inside a workspace. */
export interface AgentReport {
  user: string;
  home: string;
  token: string;
  /** The init script's working folder for the agent binary (mktemp -d under /tmp, as Coder's script). */
  binaryDir: string;
  /** `date +%s.%N` when the init script started, and when the agent binary ran. */
  initStarted: number;
  agentRan: number;
}

/**
 * A stand-in for the Coder server, listening on the Docker host (the bridge's gateway, where
 * host.docker.internal points). Coder's real init script downloads the agent binary from the
 * server's URL into a fresh folder under /tmp and executes it; the stand-in serves a shell script
 * as that binary, which reports its user, token and times back over the same URL, then stays up.
 * The init script names the server as `localhost`, as Coder's does on a server that listens there:
 * only the template's rewrite to host.docker.internal lets the workspace reach it.
 */
export class StandInCoder {
  private readonly reports = new Map<string, AgentReport>();
  private readonly waiters = new Map<string, (r: AgentReport) => void>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(host: string): Promise<StandInCoder> {
    let self: StandInCoder | undefined;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const workspace = url.searchParams.get('workspace') ?? '';
      if (req.method === 'GET' && url.pathname.startsWith('/bin/coder-linux-')) {
        res.end(AGENT_BINARY);
        return;
      }
      if (req.method === 'POST' && url.pathname === '/report') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const report = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AgentReport;
          self?.reports.set(workspace, report);
          self?.waiters.get(workspace)?.(report);
          res.end('ok\n');
        });
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
    self = new StandInCoder(server, (server.address() as AddressInfo).port);
    return self;
  }

  /**
   * The init script for one workspace, the shape of Coder's own (download, chmod, exec from /tmp).
   * `stopFile`: where the agent notes that it was stopped with SIGTERM (a clean stop, not a kill).
   */
  initScript(workspace: string, stopFile: string): string {
    const url = `http://localhost:${this.port}/`;
    return [
      '#!/usr/bin/env sh',
      '# Stand-in for the init script Coder renders for coder_agent.main (provisionersdk/scripts/bootstrap_linux.sh).',
      'set -eu',
      'INIT_STARTED=$(date +%s.%N)',
      'BINARY_DIR=$(mktemp -d -t coder.XXXXXX)',
      'cd "$BINARY_DIR"',
      `curl -fsS --retry 5 --retry-connrefused "${url}bin/coder-linux-amd64" -o coder`,
      'chmod +x coder',
      `export CODER_AGENT_URL="${url}" CODER_TEST_WORKSPACE="${workspace}" CODER_TEST_STOP_FILE="${stopFile}"`,
      'export INIT_STARTED BINARY_DIR',
      'exec ./coder agent',
      '',
    ].join('\n');
  }

  /** Resolves with the workspace's report, or null after `ms`. */
  waitFor(workspace: string, ms: number): Promise<AgentReport | null> {
    const known = this.reports.get(workspace);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), ms);
      this.waiters.set(workspace, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  /** Forgets a workspace's report, so the next boot of it must report again. */
  forget(workspace: string): void {
    this.reports.delete(workspace);
    this.waiters.delete(workspace);
  }

  reported(workspace: string): boolean {
    return this.reports.has(workspace);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The "agent binary": reports who runs it, with which token, over the URL the init script used; then
 * stays up until SIGTERM (systemd stopping coder-agent.service), which it notes in the stop file.
 */
const AGENT_BINARY = `#!/bin/sh
set -eu
AGENT_RAN=$(date +%s.%N)
printf '{"user":"%s","home":"%s","token":"%s","binaryDir":"%s","initStarted":%s,"agentRan":%s}' \\
  "$(id -un)" "$HOME" "\${CODER_AGENT_TOKEN:-}" "$BINARY_DIR" "$INIT_STARTED" "$AGENT_RAN" |
  curl -fsS --retry 5 --retry-connrefused -X POST --data-binary @- \\
    "\${CODER_AGENT_URL}report?workspace=\${CODER_TEST_WORKSPACE}"
trap 'echo "agent stopped by SIGTERM" > "$CODER_TEST_STOP_FILE"; exit 0' TERM
sleep infinity &
wait $!
`;

export const workspaceKey = () => randomBytes(6).toString('hex');
