// `muragat user add|suspend|reinstate|list`: account administration from the server's shell,
// e.g. to create the first administrator. `muragat user cert add|list|confirm|remove`: the
// signing certificates and IINs registered to users (signer identity).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { t, isLanguage, type Language } from '../../common/i18n';
import { createOrganisationService } from '../../catalog/organisation.service';
import { isRole, ROLES, type Role } from '../../accounts/roles';
import { createUsersService, type UserView } from '../../accounts/users.service';
import { createSignersService, type SignerBindingView } from '../../accounts/signers.service';
import { cliActor, withCatalog } from '../database';
import { CliExit, EXIT, cliLanguage, printJson, printResult } from '../output';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** 18 random bytes: 24 base64url characters, 144 bits. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

function parseRoles(values: string[], lang: Language): Role[] {
  const roles = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !isRole(r));
  if (unknown.length || roles.length === 0) {
    throw new CliExit(EXIT.usage, t(lang, 'cli.user_unknown_roles', { roles: unknown.join(', ') || '—', allowed: ROLES.join(', ') }));
  }
  return roles as Role[];
}

function describe(user: UserView, departmentCode: string | null): string {
  const roles = user.roles.join(',');
  return `${user.username.padEnd(16)} ${user.status.padEnd(10)} ${(departmentCode ?? '—').padEnd(4)} ${roles.padEnd(28)} ${user.fullName}`;
}

/** One binding on one line: id, status, user, and the certificate or IIN. */
function describeBinding(b: SignerBindingView): string {
  const what = b.kind === 'iin' ? `IIN ${b.iin}` : `${b.certificate!.subject} | № ${b.certificate!.serialNumber} | ${b.certificate!.issuer} | ${b.certificate!.notBefore?.slice(0, 10) ?? '?'}…${b.certificate!.notAfter?.slice(0, 10) ?? '?'}`;
  return `${b.id}  ${b.status.padEnd(8)} ${b.username.padEnd(16)} ${what}`;
}

function bindingWhat(b: SignerBindingView): string {
  return b.kind === 'iin' ? `IIN ${b.iin}` : `${b.certificate!.subject} (№ ${b.certificate!.serialNumber})`;
}

function registerCert(user: Command, lang: Language): void {
  const cert = user.command('cert').description(t(lang, 'catalog.signer_cli_cert_description'));
  /** add, confirm and remove answer alike: the binding as JSON, or one line naming what was done. */
  const printBinding = (binding: SignerBindingView, asJson: boolean | undefined, key: string) =>
    printResult({ binding }, asJson, () => t(lang, key, { username: binding.username, what: bindingWhat(binding) }));

  cert
    .command('add')
    .description(t(lang, 'catalog.signer_cli_add_description'))
    .argument('<username>', t(lang, 'cli.user_arg_username'))
    .argument('[file]', t(lang, 'catalog.signer_cli_arg_file'))
    .option('--iin <iin>', t(lang, 'catalog.signer_cli_opt_iin'))
    .option('--json', t(lang, 'cli.opt_json_result'))
    .action(async (username: string, file: string | undefined, opts: { iin?: string; json?: boolean }) => {
      if ((file === undefined) === (opts.iin === undefined)) throw new CliExit(EXIT.usage, t(lang, 'catalog.signer_cli_need_file_or_iin'));
      const bytes = file !== undefined ? new Uint8Array(await readFile(file)) : undefined;
      const binding = await withCatalog(({ db }) => {
        const signers = createSignersService({ db });
        return bytes ? signers.addCertificate(cliActor(), username, bytes, file) : signers.addIin(cliActor(), username, opts.iin!);
      });
      printBinding(binding, opts.json, 'catalog.signer_cli_added');
    });

  cert
    .command('list')
    .description(t(lang, 'catalog.signer_cli_list_description'))
    .argument('[username]', t(lang, 'cli.user_arg_username'))
    .option('--all', t(lang, 'catalog.signer_cli_opt_all'))
    .option('--json', t(lang, 'cli.opt_json_result'))
    .action(async (username: string | undefined, opts: { all?: boolean; json?: boolean }) => {
      const bindings = await withCatalog(({ db }) => {
        const signers = createSignersService({ db });
        return username ? signers.list(username, { includeRemoved: opts.all }) : signers.listPending();
      });
      if (opts.json) return printJson({ bindings });
      if (!bindings.length) return void process.stdout.write(t(lang, 'catalog.signer_cli_list_empty') + '\n');
      for (const b of bindings) process.stdout.write(describeBinding(b) + '\n');
    });

  cert
    .command('confirm')
    .description(t(lang, 'catalog.signer_cli_confirm_description'))
    .argument('<username>', t(lang, 'cli.user_arg_username'))
    .argument('<binding>', t(lang, 'catalog.signer_cli_arg_binding'))
    .option('--json', t(lang, 'cli.opt_json_result'))
    .action(async (username: string, id: string, opts: { json?: boolean }) => {
      const binding = await withCatalog(({ db }) => createSignersService({ db }).confirm(cliActor(), id, username));
      printBinding(binding, opts.json, 'catalog.signer_cli_confirmed');
    });

  cert
    .command('remove')
    .description(t(lang, 'catalog.signer_cli_remove_description'))
    .argument('<username>', t(lang, 'cli.user_arg_username'))
    .argument('<binding>', t(lang, 'catalog.signer_cli_arg_binding'))
    .requiredOption('--reason <text>', t(lang, 'catalog.signer_cli_opt_reason'))
    .option('--json', t(lang, 'cli.opt_json_result'))
    .action(async (username: string, id: string, opts: { reason: string; json?: boolean }) => {
      const binding = await withCatalog(({ db }) => createSignersService({ db }).remove(cliActor(), id, opts.reason, username));
      printBinding(binding, opts.json, 'catalog.signer_cli_removed');
    });
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const user = program.command('user').description(t(lang, 'cli.user_description'));

  user
    .command('add')
    .description(t(lang, 'cli.user_add_description'))
    .argument('<username>', t(lang, 'cli.user_arg_username'))
    .requiredOption('--role <roles...>', t(lang, 'cli.user_add_opt_role', { roles: ROLES.join(', ') }))
    .requiredOption('--full-name <name>', t(lang, 'cli.user_add_opt_full_name'))
    .option('--position <position>', t(lang, 'cli.user_add_opt_position'))
    .option('--department <code>', t(lang, 'cli.user_add_opt_department'))
    .option('--language <lang>', t(lang, 'cli.user_add_opt_language'), 'kk')
    .option('--password-stdin', t(lang, 'cli.user_add_opt_password_stdin'))
    .option('--json', t(lang, 'cli.opt_json_result'))
    .action(
      async (
        username: string,
        opts: { role: string[]; fullName: string; position?: string; department?: string; language: string; passwordStdin?: boolean; json?: boolean },
      ) => {
        const roles = parseRoles(opts.role, lang);
        if (!isLanguage(opts.language)) throw new CliExit(EXIT.usage, t(lang, 'cli.user_bad_language', { language: opts.language }));
        let password: string;
        let generated = false;
        if (opts.passwordStdin) {
          // One trailing newline belongs to `echo`, not to the password.
          password = (await readStdin()).replace(/\r?\n$/, '');
          if (!password) throw new CliExit(EXIT.usage, t(lang, 'cli.user_empty_stdin_password'));
        } else {
          password = generatePassword();
          generated = true;
        }
        const created = await withCatalog(async ({ db }) => {
          const departmentId = opts.department ? (await createOrganisationService({ db }).getDepartment(opts.department)).id : null;
          return createUsersService({ db }).add(cliActor(), {
            username,
            password,
            fullName: opts.fullName,
            position: opts.position ?? null,
            roles,
            departmentId,
            language: opts.language as Language,
          });
        });
        if (opts.json) return printJson(generated ? { user: created, generatedPassword: password } : { user: created });
        process.stdout.write(t(lang, 'cli.user_added', { username: created.username, roles: created.roles.join(', ') }) + '\n');
        if (generated) process.stdout.write(t(lang, 'cli.user_generated_password', { password }) + '\n');
      },
    );

  user
    .command('suspend')
    .description(t(lang, 'cli.user_suspend_description'))
    .argument('<username>', t(lang, 'cli.user_arg_username'))
    .requiredOption('--reason <text>', t(lang, 'cli.user_suspend_opt_reason'))
    .option('--json', t(lang, 'cli.opt_json_result'))
    .action(async (username: string, opts: { reason: string; json?: boolean }) => {
      const view = await withCatalog(({ db }) => createUsersService({ db }).suspend(cliActor(), username, opts.reason));
      printResult({ user: view }, opts.json, ({ user }) => t(lang, 'cli.user_suspended', { username: user.username }));
    });

  user
    .command('reinstate')
    .description(t(lang, 'cli.user_reinstate_description'))
    .argument('<username>', t(lang, 'cli.user_arg_username'))
    .option('--json', t(lang, 'cli.opt_json_result'))
    .action(async (username: string, opts: { json?: boolean }) => {
      const view = await withCatalog(({ db }) => createUsersService({ db }).reinstate(cliActor(), username));
      printResult({ user: view }, opts.json, ({ user }) => t(lang, 'cli.user_reinstated', { username: user.username }));
    });

  user
    .command('list')
    .description(t(lang, 'cli.user_list_description'))
    .option('--status <status>', t(lang, 'cli.user_list_opt_status'))
    .option('--role <role>', t(lang, 'cli.user_list_opt_role'))
    .option('--json', t(lang, 'cli.opt_json_result'))
    .action(async (opts: { status?: string; role?: string; json?: boolean }) => {
      const { users, codes } = await withCatalog(async ({ db }) => {
        const users = await createUsersService({ db }).list({ status: opts.status as 'active' | undefined, role: opts.role as Role | undefined });
        const departments = await createOrganisationService({ db }).listDepartments();
        return { users, codes: new Map(departments.map((d) => [d.id, d.code])) };
      });
      if (opts.json) return printJson({ users });
      if (users.length === 0) {
        process.stdout.write(t(lang, 'cli.user_list_empty') + '\n');
        return;
      }
      for (const u of users) process.stdout.write(describe(u, u.departmentId ? (codes.get(u.departmentId) ?? null) : null) + '\n');
      process.stdout.write(t(lang, 'cli.user_list_total', { count: users.length }) + '\n');
    });

  registerCert(user, lang);
}
