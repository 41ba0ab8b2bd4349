import { Command } from 'commander';
import { registerControllerCommand } from './commands/controller.js';
import { registerEchoCommand } from './commands/echo.js';
import { registerGatewayCommand } from './commands/gateway.js';
import { registerRunCommand } from './commands/run.js';

/** berth's command line: each subcommand lives in commands/<name>.ts and only wires flags to modules. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('berth')
    .description('Kubernetes ingress controller and HTTP gateway: sticky sessions that survive pod draining')
    .showHelpAfterError()
    .enablePositionalOptions();
  // Subcommands register themselves here, one line each.
  registerControllerCommand(program);
  registerEchoCommand(program);
  registerGatewayCommand(program);
  registerRunCommand(program);
  await program.parseAsync(argv, { from: 'user' });
}
