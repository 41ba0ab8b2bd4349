import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { valueOption } from './flags.js';

/** AdminTokenFlags: what addAdminTokenFlags parses. */
export interface AdminTokenFlags {
  adminToken?: string;
  adminTokenFile?: string;
}

/**
 * addAdminTokenFlags: the shared secret of split mode. `berth gateway` / `berth run` require it on
 * the admin API; `berth controller` sends it when pushing. The file form is for a mounted Secret.
 */
export function addAdminTokenFlags(cmd: Command, role: 'require' | 'send'): Command {
  const what = role === 'require' ? 'bearer token the admin API requires (all but GET /status)' : 'bearer token sent to the gateways\' admin API';
  return cmd
    .addOption(valueOption('--admin-token', what, 'BERTH_ADMIN_TOKEN'))
    .addOption(valueOption('--admin-token-file', `file holding the ${what}`, 'BERTH_ADMIN_TOKEN_FILE'));
}

/** loadAdminToken: the token from the flag or the file (trimmed, as a Secret's file may end in a newline); undefined = none. */
export function loadAdminToken(flags: AdminTokenFlags): string | undefined {
  if (flags.adminToken !== undefined && flags.adminTokenFile !== undefined) {
    throw new Error('give --admin-token or --admin-token-file, not both');
  }
  let token = flags.adminToken;
  if (flags.adminTokenFile !== undefined) {
    try {
      token = readFileSync(flags.adminTokenFile, 'utf8');
    } catch (err) {
      throw new Error(`cannot read --admin-token-file ${flags.adminTokenFile}: ${(err as Error).message}`);
    }
  }
  if (token === undefined) return undefined;
  token = token.trim();
  if (token === '' || /\s/.test(token)) throw new Error('the admin token must be non-empty and contain no whitespace');
  return token;
}
