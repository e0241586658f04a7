import { expect, it } from 'vitest';
import { describeEachDatabase } from '../tests/helpers/db';
import { verifyAuditChain } from '../audit/audit.service';
import { seedDemo } from './seed';
import { createUsersService } from '../accounts/users.service';

describeEachDatabase('demo seed', (getDb) => {
  it('creates the demo organisation, departments, users and nomenclature once', async () => {
    const { db } = getDb();
    const first = await seedDemo(db, { year: 2026 });
    expect(first.organisation.bin).toMatch(/^\d{12}$/);
    expect(first.departments.map((d) => d.code)).toEqual(['01', '02', '03']);
    expect(first.users.map((u) => u.username)).toEqual(['admin', 'archivist', 'clerk', 'head', 'chair', 'secretary', 'member', 'researcher', 'records', 'director']);
    expect(first.nomenclature.items).toBeGreaterThanOrEqual(6);
    const events = (await verifyAuditChain(db)).total;

    const second = await seedDemo(db, { year: 2026 });
    expect(second).toEqual(first);
    expect((await verifyAuditChain(db)).total).toBe(events);

    const users = createUsersService({ db });
    for (const { username, password, roles } of first.users) {
      const user = await users.authenticate(username, password, { ip: '127.0.0.1' });
      expect(user.roles).toEqual(roles);
    }
    const clerk = await users.get('clerk');
    expect(clerk.departmentId).toBe(first.departments.find((d) => d.code === '02')?.id);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});
