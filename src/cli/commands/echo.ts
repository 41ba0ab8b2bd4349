import { Command } from 'commander';
import { hostname } from 'node:os';
import { createEchoServer, listenEcho } from '../../echo/server.js';
import { parseListen, valueOption } from '../flags.js';

interface EchoFlags {
  listen: string;
  name?: string;
  namespace: string;
  node?: string;
  ip?: string;
}

/**
 * registerEchoCommand adds `berth echo`: the guide's echo backend (answers with its pod name), for
 * demos and tests on one machine. Prints "listening on http://host:port" once bound.
 */
export function registerEchoCommand(program: Command): void {
  program
    .command('echo')
    .description('run an echo backend that answers with its pod name, like the guide\'s echo image')
    .addOption(valueOption('--listen', 'address to listen on (port 0 = any free port)', 'ECHO_LISTEN', '127.0.0.1:1027'))
    .addOption(valueOption('--name', 'pod name to report (default POD_NAME, else the host name)', 'ECHO_NAME'))
    .addOption(valueOption('--namespace', 'namespace to report', 'POD_NAMESPACE', 'default'))
    .addOption(valueOption('--node', 'node name to report (default the host name)', 'NODE_NAME'))
    .addOption(valueOption('--ip', 'IP address to report (default the address the request arrived on)', 'POD_IP'))
    .action(async (flags: EchoFlags) => runEcho(flags));
}

async function runEcho(flags: EchoFlags): Promise<void> {
  const listen = parseListen(flags.listen);
  const server = createEchoServer({
    pod: flags.name ?? process.env.POD_NAME ?? hostname(),
    namespace: flags.namespace,
    node: flags.node ?? hostname(),
    ip: flags.ip,
  });
  const bound = await listenEcho(server, listen.host, listen.port);
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  process.stdout.write(`listening on http://${host}:${bound.port}\n`);
  const stop = (): void => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
