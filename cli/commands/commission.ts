// `muragat commission …`: the expert commission (issue 12) from the command line, for the
// secretary's office and for scripts. Members and terms, meetings, the agenda, votes cast at the
// meeting and recorded afterwards, closing votes, the protocol (drafted as PDF/A in kk and ru,
// saved to a file, signed with a detached CMS made elsewhere by the chair or the secretary, whose
// registered certificate must be the signer's). Every command has --json. The operator acts as
// the system user `cli:<os user>`; the audit log names them.
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { t } from '../../common/i18n';
import {
  AGENDA_ITEM_KINDS,
  addAgendaItem,
  addMember,
  castVote,
  closeVoting,
  createMeeting,
  getMeeting,
  holdMeeting,
  listMeetings,
  listMembers,
  listProposals,
  putOnAgenda,
  setMemberTermEnd,
  updateSettings,
  type AgendaItemKind,
  type MeetingView,
} from '../../commission';
import { draftProtocol, readProtocolRendition, signProtocol } from '../../commission/protocol.service';
import { openStorage } from '../../storage';
import { cliActor, withCatalog } from '../database';
import { CliExit, EXIT, cliLanguage, printJson, printList, printResult } from '../output';
import type { Role } from '../../accounts/roles';

export function register(program: Command): void {
  const lang = cliLanguage();
  const commission = program.command('commission').description(t(lang, 'commission.cli_description'));
  const json = (cmd: Command) => cmd.option('--json', t(lang, 'commission.cli_opt_json'));

  const memberLine = (m: { id: string; fullName: string; username: string; role: string; termFrom: string; termTo: string | null }) =>
    t(lang, 'commission.cli_member_line', { id: m.id, name: m.fullName, username: m.username, role: m.role, term: `${m.termFrom} – ${m.termTo ?? '…'}` });

  /** An agenda item as the meeting, a vote and the close of voting show it. */
  const itemLine = (item: { id: string; position: number | null; kind: string; title: string }, outcome: string) =>
    t(lang, 'commission.cli_item_line', { id: item.id, position: item.position ?? '', kind: item.kind, title: item.title, outcome });

  function printMeeting(meeting: MeetingView, asJson?: boolean): void {
    printResult(meeting, asJson, (meeting) => {
      const lines = [t(lang, 'commission.cli_meeting_line', { id: meeting.id, number: meeting.number, date: meeting.date, status: meeting.status, items: meeting.agenda.length })];
      for (const item of meeting.agenda) lines.push('  ' + itemLine(item, item.outcome ?? `${item.votes.length} ✓`));
      for (const r of meeting.protocol) {
        lines.push('  ' + t(lang, 'commission.cli_rendition_line', { id: r.id, language: r.language, sha256: r.sha256, signers: r.signatures.map((s) => `${s.role} ${s.signedBy}`).join(', ') || '—' }));
      }
      return lines.join('\n');
    });
  }

  json(commission.command('members').description(t(lang, 'commission.cli_members_description')).option('--at <date>', t(lang, 'commission.cli_opt_at'))).action(async (opts: { at?: string; json?: boolean }) => {
    const members = await withCatalog(({ db }) => listMembers(db, { at: opts.at }));
    printList(members, opts.json, memberLine, t(lang, 'commission.cli_nothing'));
  });

  json(
    commission
      .command('member-add')
      .description(t(lang, 'commission.cli_member_add_description'))
      .argument('<user>', t(lang, 'commission.cli_arg_user'))
      .requiredOption('--role <role>', t(lang, 'commission.cli_opt_role'))
      .requiredOption('--from <date>', t(lang, 'commission.cli_opt_from'))
      .option('--to <date>', t(lang, 'commission.cli_opt_to')),
  ).action(async (user: string, opts: { role: string; from: string; to?: string; json?: boolean }) => {
    const member = await withCatalog(({ db }) => addMember(db, cliActor(), { user, role: opts.role, termFrom: opts.from, termTo: opts.to }));
    printResult(member, opts.json, memberLine);
  });

  json(
    commission
      .command('member-end')
      .description(t(lang, 'commission.cli_member_end_description'))
      .argument('<memberId>', t(lang, 'commission.cli_arg_member'))
      .requiredOption('--to <date>', t(lang, 'commission.cli_opt_to')),
  ).action(async (memberId: string, opts: { to: string; json?: boolean }) => {
    const member = await withCatalog(({ db }) => setMemberTermEnd(db, cliActor(), memberId, opts.to));
    printResult(member, opts.json, memberLine);
  });

  json(commission.command('quorum').description(t(lang, 'commission.cli_settings_description')).argument('<percent>', t(lang, 'commission.cli_opt_quorum'))).action(async (percent: string, opts: { json?: boolean }) => {
    const value = Number(percent);
    if (!Number.isInteger(value)) throw new CliExit(EXIT.usage, t(lang, 'commission.cli_bad_number', { value: percent, option: 'percent' }));
    const settings = await withCatalog(({ db }) => updateSettings(db, cliActor(), { quorumPercent: value }));
    printResult(settings, opts.json, (settings) => t(lang, 'commission.cli_quorum_set', { percent: settings.quorumPercent }));
  });

  json(commission.command('meetings').description(t(lang, 'commission.cli_meetings_description'))).action(async (opts: { json?: boolean }) => {
    const meetings = await withCatalog(({ db }) => listMeetings(db));
    printList(meetings, opts.json, (m) => t(lang, 'commission.cli_meeting_line', { id: m.id, number: m.number, date: m.date, status: m.status, items: m.items }), t(lang, 'commission.cli_nothing'));
  });

  json(commission.command('meeting').description(t(lang, 'commission.cli_meeting_description')).argument('<meetingId>', t(lang, 'commission.cli_arg_meeting'))).action(async (id: string, opts: { json?: boolean }) => {
    printMeeting(await withCatalog(({ db }) => getMeeting(db, id)), opts.json);
  });

  json(
    commission
      .command('meeting-create')
      .description(t(lang, 'commission.cli_meeting_create_description'))
      .requiredOption('--number <number>', t(lang, 'commission.cli_opt_number'))
      .requiredOption('--date <date>', t(lang, 'commission.cli_opt_date'))
      .requiredOption('--place <place>', t(lang, 'commission.cli_opt_place')),
  ).action(async (opts: { number: string; date: string; place: string; json?: boolean }) => {
    printMeeting(await withCatalog(({ db }) => createMeeting(db, cliActor(), opts)), opts.json);
  });

  json(
    commission
      .command('hold')
      .description(t(lang, 'commission.cli_hold_description'))
      .argument('<meetingId>', t(lang, 'commission.cli_arg_meeting'))
      .requiredOption('--present <logins>', t(lang, 'commission.cli_opt_present')),
  ).action(async (id: string, opts: { present: string; json?: boolean }) => {
    const present = opts.present.split(',').map((p) => p.trim()).filter(Boolean);
    printMeeting(await withCatalog(({ db }) => holdMeeting(db, cliActor(), id, { present })), opts.json);
  });

  json(commission.command('proposals').description(t(lang, 'commission.cli_proposals_description'))).action(async (opts: { json?: boolean }) => {
    const proposals = await withCatalog(({ db }) => listProposals(db));
    printList(proposals, opts.json, (p) => t(lang, 'commission.cli_item_line', { id: p.id, position: '', kind: p.kind, title: p.title, outcome: p.proposedBy }), t(lang, 'commission.cli_nothing'));
  });

  json(
    commission
      .command('agenda')
      .description(t(lang, 'commission.cli_agenda_description'))
      .argument('<meetingId>', t(lang, 'commission.cli_arg_meeting'))
      .option('--item <id>', t(lang, 'commission.cli_opt_item'))
      .option('--kind <kind>', t(lang, 'commission.cli_opt_kind', { kinds: AGENDA_ITEM_KINDS.join(', ') }))
      .option('--subject <id>', t(lang, 'commission.cli_opt_subject'))
      .option('--title <text>', t(lang, 'commission.cli_opt_title')),
  ).action(async (id: string, opts: { item?: string; kind?: string; subject?: string; title?: string; json?: boolean }) => {
    if (!opts.item && !(opts.kind && opts.subject && opts.title)) throw new CliExit(EXIT.usage, t(lang, 'commission.cli_need_item_or_question'));
    const meeting = await withCatalog(({ db }) =>
      opts.item ? putOnAgenda(db, cliActor(), id, opts.item) : addAgendaItem(db, cliActor(), id, { kind: opts.kind as AgendaItemKind, subjectId: opts.subject, title: opts.title }),
    );
    printMeeting(meeting, opts.json);
  });

  json(
    commission
      .command('vote')
      .description(t(lang, 'commission.cli_vote_description'))
      .argument('<itemId>', t(lang, 'commission.cli_arg_item'))
      .requiredOption('--member <login>', t(lang, 'commission.cli_opt_member'))
      .requiredOption('--vote <vote>', t(lang, 'commission.cli_opt_vote'))
      .option('--reservation', t(lang, 'commission.cli_opt_reservation'))
      .option('--dissent <text>', t(lang, 'commission.cli_opt_dissent')),
  ).action(async (itemId: string, opts: { member: string; vote: string; reservation?: boolean; dissent?: string; json?: boolean }) => {
    const item = await withCatalog(({ db }) => castVote(db, cliActor(), itemId, { vote: opts.vote, reservation: opts.reservation === true, dissent: opts.dissent }, { member: opts.member }));
    printResult(item, opts.json, (item) => itemLine(item, `${item.votes.length} ✓`));
  });

  json(commission.command('close').description(t(lang, 'commission.cli_close_description')).argument('<itemId>', t(lang, 'commission.cli_arg_item'))).action(async (itemId: string, opts: { json?: boolean }) => {
    const item = await withCatalog(({ db }) => closeVoting(db, cliActor(), itemId));
    printResult(item, opts.json, (item) => itemLine(item, item.outcome ?? ''));
  });

  const protocol = commission.command('protocol').description(t(lang, 'commission.cli_protocol_description'));
  json(
    protocol
      .command('draft')
      .description(t(lang, 'commission.cli_protocol_description'))
      .argument('<meetingId>', t(lang, 'commission.cli_arg_meeting'))
      .option('--number <number>', t(lang, 'commission.cli_opt_number'))
      .option('--date <date>', t(lang, 'commission.cli_opt_date')),
  ).action(async (id: string, opts: { number?: string; date?: string; json?: boolean }) => {
    const config = loadConfig();
    printMeeting(await withCatalog(({ db }) => draftProtocol({ db, storage: openStorage(config) }, cliActor(), id, { number: opts.number, date: opts.date })), opts.json);
  });

  json(
    protocol
      .command('export')
      .description(t(lang, 'commission.cli_protocol_export_description'))
      .argument('<renditionId>', t(lang, 'commission.cli_arg_rendition'))
      .requiredOption('--out <file>', t(lang, 'commission.cli_opt_out')),
  ).action(async (id: string, opts: { out: string; json?: boolean }) => {
    const config = loadConfig();
    const rendition = await withCatalog(({ db }) => readProtocolRendition({ db, storage: openStorage(config) }, id));
    await writeFile(opts.out, rendition.bytes);
    if (opts.json) return printJson({ id, file: opts.out, bytes: rendition.bytes.length, sha256: rendition.sha256, language: rendition.language, title: rendition.title });
    process.stdout.write(t(lang, 'commission.cli_saved', { file: opts.out, bytes: rendition.bytes.length }) + '\n');
  });

  json(
    protocol
      .command('sign')
      .description(t(lang, 'commission.cli_protocol_sign_description'))
      .argument('<renditionId>', t(lang, 'commission.cli_arg_rendition'))
      .argument('<cms>', t(lang, 'commission.cli_arg_cms'))
      .requiredOption('--signer <login>', t(lang, 'commission.cli_opt_signer')),
  ).action(async (id: string, cmsFile: string, opts: { signer: string; json?: boolean }) => {
    let cms: Uint8Array;
    try {
      cms = new Uint8Array(await readFile(cmsFile));
    } catch (error) {
      throw new CliExit(EXIT.usage, t(lang, 'commission.cli_file_unreadable', { file: cmsFile, reason: (error as NodeJS.ErrnoException).code ?? String(error) }));
    }
    const config = loadConfig();
    const { verifySignature } = await import('../../validators/signature');
    const meeting = await withCatalog(async ({ db }) => {
      // The signature is the signer's own (their registered certificate); the CLI only carries it.
      const user = await db.selectFrom('users').select(['id', 'username', 'roles']).where('username', '=', opts.signer).executeTakeFirst();
      if (!user) throw new CliExit(EXIT.usage, t(lang, 'commission.cli_signer_unknown', { user: opts.signer }));
      const actor = { userId: user.id, username: user.username, roles: user.roles as Role[], requestId: cliActor().requestId };
      return signProtocol({ db, storage: openStorage(config), trustDir: config.trustDir, verifySignature }, actor, { renditionId: id, cms });
    });
    printMeeting(meeting, opts.json);
  });
}
