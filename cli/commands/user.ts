// `muragat user add|suspend|reinstate|list`: account administration from the server's shell,
// e.g. to create the first administrator.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { t, isLanguage, type Language } from '../../common/i18n';
import { createOrganisationService } from '../../catalog/organisation.service';
import { isRole, ROLES, type Role } from '../../catalog/roles';
import { createUsersService, type UserView } from '../../catalog/users.service';
import { cliActor, withCatalog } from '../database';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

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

export function register(program: Command): void {
  const user = program.command('user').description('manage user accounts (users are suspended, never deleted)');

  user
    .command('add <username>')
    .description('create a user; without --password-stdin a password is generated and printed once')
    .requiredOption('--role <roles...>', `one or more roles: ${ROLES.join(', ')}`)
    .requiredOption('--full-name <name>', 'full name, e.g. "Әбенова Гүлнар Серікқызы"')
    .option('--position <position>', 'job title')
    .option('--department <code>', 'department code, e.g. 03')
    .option('--language <lang>', 'interface language: kk, ru or en', 'kk')
    .option('--password-stdin', 'read the password from standard input')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        username: string,
        opts: { role: string[]; fullName: string; position?: string; department?: string; language: string; passwordStdin?: boolean; json?: boolean },
      ) => {
        const lang = cliLanguage();
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
    .command('suspend <username>')
    .description('suspend a user: they can no longer log in; the account and its history stay')
    .requiredOption('--reason <text>', 'why, recorded in the audit log')
    .option('--json', 'print the result as JSON')
    .action(async (username: string, opts: { reason: string; json?: boolean }) => {
      const lang = cliLanguage();
      const view = await withCatalog(({ db }) => createUsersService({ db }).suspend(cliActor(), username, opts.reason));
      if (opts.json) return printJson({ user: view });
      process.stdout.write(t(lang, 'cli.user_suspended', { username: view.username }) + '\n');
    });

  user
    .command('reinstate <username>')
    .description('allow a suspended user to log in again')
    .option('--json', 'print the result as JSON')
    .action(async (username: string, opts: { json?: boolean }) => {
      const lang = cliLanguage();
      const view = await withCatalog(({ db }) => createUsersService({ db }).reinstate(cliActor(), username));
      if (opts.json) return printJson({ user: view });
      process.stdout.write(t(lang, 'cli.user_reinstated', { username: view.username }) + '\n');
    });

  user
    .command('list')
    .description('list users')
    .option('--status <status>', 'active or suspended')
    .option('--role <role>', 'only users holding this role')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { status?: string; role?: string; json?: boolean }) => {
      const lang = cliLanguage();
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
}
