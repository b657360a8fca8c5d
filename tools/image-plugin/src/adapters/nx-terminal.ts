/**
 * Shows a message of the plugin in the terminal of the Nx command that is making the graph, wherever
 * Nx runs the plugin: in Nx's own process (stderr), in a plugin worker (Nx passes the worker's log
 * lines to its host), or in the daemon (Nx sends the line to the client that asked for the graph).
 * The last two use Nx's internal log channels (nx 22); when they are missing, stderr.
 */
export function tellNxUser(message: string): void {
  try {
    if ((globalThis as { NX_DAEMON?: boolean }).NX_DAEMON) {
      const { serverLogger } = require('nx/src/daemon/logger') as {
        serverLogger: { logToClient(topic: string, message: string, level: 'error'): void };
      };
      const { ProgressTopics } = require('nx/src/utils/progress-topics') as {
        ProgressTopics: { GraphConstruction: string };
      };
      serverLogger.logToClient(ProgressTopics.GraphConstruction, message, 'error');
      return;
    }
    const { emitPluginWorkerLog } = require('nx/src/project-graph/plugins/isolation/worker-streaming') as {
      emitPluginWorkerLog: (level: 'error', message: string) => void;
    };
    emitPluginWorkerLog('error', message);
  } catch {
    console.error(message);
  }
}
