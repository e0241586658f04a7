// The expert commission in a real browser (issue 12 acceptance): the secretary plans a meeting,
// puts a question on its agenda and opens the meeting with the members present; the members
// vote in their own sessions (one against, attaching a dissent); the secretary closes voting
// (adopted) and drafts the protocol (PDF/A in kk and ru); the secretary and then the chair sign
// both copies in the page with their own .p12 (a detached CMS over the stored bytes, only the
// CMS is sent), after which the protocol is signed and the decision is in force. A second vote
// is refused with a translated message, never a raw code.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createSignersService } from '../../accounts/signers.service';
import { decisionOn } from '../../commission';
import { demoBrowserSuite, HAVE_CHROMIUM, SKIP_REASON, type PageWithProblems } from './support';

const catalog = (lang: string) => JSON.parse(readFileSync(new URL(`../../common/i18n/commission/${lang}.json`, import.meta.url), 'utf8')) as Record<string, string>;
const kk = catalog('kk');

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'expert commission in Chromium' : `expert commission in Chromium — skipped: ${SKIP_REASON}`, () => {
  const suite = demoBrowserSuite({ name: 'commission-ui', pki: true, ownStorage: true });
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    // Each signer's own key: the chair's RSA certificate, the secretary's ECDSA one.
    const signers = createSignersService({ db: suite.server.deps.db });
    await signers.addCertificate(SYSTEM_ACTOR, 'chair', new Uint8Array(readFileSync(suite.pki.signers.rsa.certPath)), 'chair.pem');
    await signers.addCertificate(SYSTEM_ACTOR, 'secretary', new Uint8Array(readFileSync(suite.pki.signers.ecdsa.certPath)), 'secretary.pem');
  });

  async function vote(page: PageWithProblems, meetingPath: string, choice: 'for' | 'against' | 'abstain', dissent?: string): Promise<void> {
    await page.goto(suite.base + meetingPath);
    const form = page.getByTestId('vote-form');
    await form.waitFor();
    await form.locator(`input[type=radio][value=${choice}]`).check();
    if (dissent) await form.locator('textarea[name=dissent]').fill(dissent);
    await form.locator('button[type=submit]').click();
    await page.getByTestId('my-vote').waitFor();
  }

  async function signBoth(page: PageWithProblems, p12Path: string, role: 'chair' | 'secretary'): Promise<void> {
    const form = page.getByTestId('protocol-sign');
    for (const language of ['kk', 'ru']) {
      await form.waitFor();
      const row = page.locator(`[data-testid=protocol-rendition][data-language=${language}]`);
      const id = ((await row.locator('a').getAttribute('href')) ?? '').split('/').pop()!;
      await form.locator('select[name=rendition]').selectOption(id);
      await form.locator('input[name=p12]').setInputFiles(p12Path);
      await form.locator('input[name=password]').fill(suite.pki.password);
      await form.locator('button[type=submit]').click();
      await expect.poll(async () => ((await row.getAttribute('data-signed-by')) ?? '').split(','), { timeout: 30_000 }).toContain(role);
    }
  }

  it('secretary sets up a meeting, members vote, the secretary closes and drafts the protocol, the chair signs', async () => {
    // The secretary plans the meeting and builds the agenda (the page in Kazakh, the default).
    const secretary = await suite.login('secretary');
    await secretary.goto(suite.base + '/commission');
    const create = secretary.getByTestId('meeting-create');
    await create.waitFor();
    await create.locator('input[name=number]').fill('12');
    await create.locator('input[name=date]').fill(today);
    await create.locator('input[name=place]').fill('Алматы, каб. 305');
    await create.locator('button[type=submit]').click();
    await secretary.waitForURL(/\/commission\/meetings\/[0-9a-f-]{36}$/);
    const meetingPath = new URL(secretary.url()).pathname;
    const meetingId = meetingPath.split('/').pop()!;
    await expect.poll(() => secretary.getByTestId('meeting-status').getAttribute('data-status')).toBe('planned');

    const agenda = secretary.getByTestId('agenda-add');
    await agenda.locator('select[name=kind]').selectOption('move_to_permanent');
    await agenda.locator('input[name=subjectId]').fill('dossier-01-15');
    await agenda.locator('input[name=title]').fill('Дело 01-15 «Переписка с акиматом» — в постоянное хранение');
    await agenda.locator('button[type=submit]').click();
    await expect.poll(() => secretary.getByTestId('agenda-item').count()).toBe(1);
    // The document under review is linked.
    expect(await secretary.getByTestId('subject-link').getAttribute('href')).toBe('/dossiers/dossier-01-15');

    // All three members in office are present (checked by default); the meeting opens.
    const hold = secretary.getByTestId('meeting-hold');
    expect(await hold.locator('input[name=present]:checked').count()).toBe(3);
    await hold.locator('button[type=submit]').click();
    await expect.poll(() => secretary.getByTestId('meeting-status').getAttribute('data-status')).toBe('held');
    await vote(secretary, meetingPath, 'for');

    // The members vote in their own sessions; the member disagrees and attaches a dissent.
    const chair = await suite.login('chair');
    await vote(chair, meetingPath, 'for');
    const member = await suite.login('member');
    await vote(member, meetingPath, 'against', 'Дело не имеет исторической ценности.');
    expect(member.problems).toEqual([]);

    // A second vote through the API is refused in words.
    const second = await member.evaluate(async (itemPath) => {
      const session = await (await fetch('/api/session')).json();
      const res = await fetch(itemPath, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken, 'accept-language': 'kk' }, body: JSON.stringify({ vote: 'for' }) });
      return { status: res.status, body: await res.json() };
    }, `/api/commission/items/${(await suite.server.deps.db.selectFrom('commission_agenda_items').select('id').where('meeting_id', '=', meetingId).executeTakeFirstOrThrow()).id}/votes`);
    expect(second.status).toBe(409);
    expect(second.body.error.message).not.toMatch(/commission\./);

    // The secretary closes voting: adopted, 2 for and 1 against, the dissent shown.
    await secretary.reload();
    await secretary.getByTestId('close-voting').click();
    await expect.poll(() => secretary.getByTestId('agenda-item').getAttribute('data-outcome')).toBe('adopted');
    expect(await secretary.getByTestId('outcome').textContent()).toContain(kk['commission.ui_outcome_adopted']!);
    expect(await secretary.getByTestId('votes').textContent()).toContain('Дело не имеет исторической ценности.');

    // The protocol drafted in both languages; the secretary signs both copies.
    await secretary.getByTestId('protocol-draft').locator('button[type=submit]').click();
    await expect.poll(() => secretary.getByTestId('protocol-rendition').count()).toBe(2);
    expect(await secretary.getByTestId('meeting-status').getAttribute('data-status')).toBe('protocol_drafted');
    await signBoth(secretary, suite.pki.signers.ecdsa.p12Path, 'secretary');
    expect(secretary.problems).toEqual([]);
    expect((await decisionOn(suite.server.deps.db, 'move_to_permanent', 'dossier-01-15'))?.protocolSigned).toBe(false);

    // The chair signs both copies; the protocol is signed and the decision is in force.
    await chair.goto(suite.base + meetingPath);
    await signBoth(chair, suite.pki.signers.rsa.p12Path, 'chair');
    await expect.poll(() => chair.getByTestId('meeting-status').getAttribute('data-status')).toBe('protocol_signed');
    expect(await chair.getByTestId('commission-notice').textContent()).toBe(kk['commission.ui_protocol_signed_notice']);
    expect(chair.problems).toEqual([]);
    expect(await decisionOn(suite.server.deps.db, 'move_to_permanent', 'dossier-01-15')).toMatchObject({ outcome: 'adopted', protocolSigned: true, protocolNumber: '12' });
  }, 300_000);
});
