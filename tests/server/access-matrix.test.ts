// Every route of the OpenAPI document × every role × a department 02 user reaching department
// 02's objects (own) and department 03's (other), plus anonymous. The expected answer comes
// from one table (ACCESS below): who may call the route, and whether it acts on a
// department's object. A route in the document without an entry here fails the test, so a
// new route cannot be left out of the access rules.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { COMMISSION_ROLES, ROLES, type Role } from '../../accounts/roles';
import { createUsersService } from '../../accounts/users.service';
import { DEPARTMENT_ROLES } from '../../access';
import { ANY_FORM_READERS } from '../../access/policy';
import { processingIdle } from '../../ingest/intake/transfers.service';
import { describeEachDatabase } from '../helpers/db';
import { createDepartmentFixtures, OTHER, OWN, passwordOf, type DepartmentFixtures } from './departments';
import { Client, startTestServer, type Answer, type TestServer } from './helpers';

type Variant = 'own' | 'other';
/** What a request acts on: a department's dossier or transfer, one user's upload, or nothing scoped. */
type Target = 'dossier' | 'transfer' | 'upload' | 'none';

interface Ctx {
  fx: DepartmentFixtures;
  role: Role | null;
  variant: Variant;
  /** Upload ids: 'own' made by the caller (when it may upload), 'other' by the clerk of 03. */
  upload: Record<Variant, string>;
  victim: string;
}

interface Request {
  method: string;
  url: string;
  json?: unknown;
  bytes?: Uint8Array;
  headers?: Record<string, string>;
}

interface Rule {
  /** Roles allowed to call the route; 'public' for anyone, signed in or not. */
  roles: readonly Role[] | 'public';
  target: Target;
  /** The request to send (the path's parameters filled from the fixtures). */
  request: (c: Ctx) => Request;
  /** The status of a granted request when it is certain; otherwise any answer that is not a refusal. */
  granted?: number;
}

const STAFF: Role[] = ['archivist', 'department_clerk', 'department_head'];
const READERS: Role[] = ['archivist', 'department_clerk', 'department_head', ...COMMISSION_ROLES, 'researcher'];
const UPLOADERS: Role[] = ['department_clerk', 'archivist'];
const KEEPERS: Role[] = ['archivist', 'admin'];
const NOMENCLATURE_EDITORS: Role[] = ['records_head', 'archivist'];
const dossierOf = (c: Ctx) => c.fx.dossiers[c.variant === 'own' ? OWN : OTHER]!.id;
const transferOf = (c: Ctx) => c.fx.transfers[c.variant === 'own' ? OWN : OTHER]!;
const get = (url: string): Request => ({ method: 'GET', url });
const INVENTORY_READERS: Role[] = ['archivist', 'admin', 'department_clerk', 'department_head', 'commission_chair', 'commission_secretary', 'commission_member'];
const NO_INVENTORY = '00000000-0000-4000-8000-00000000a030';
const RANDOM_ID = '00000000-0000-4000-8000-000000000000';
const COMMISSION_READERS: Role[] = [...COMMISSION_ROLES, 'admin', 'archivist', 'organisation_head'];
const COMMISSION_RUNNERS: Role[] = ['commission_secretary', 'admin'];
const ACT_READERS: Role[] = ['archivist', ...COMMISSION_ROLES, 'organisation_head', 'admin'];

/** The one table: `METHOD /openapi/path` → rule. */
const ACCESS: Record<string, Rule> = {
  'GET /api/openapi.json': { roles: 'public', target: 'none', request: () => get('/api/openapi.json'), granted: 200 },
  'GET /api/health': { roles: 'public', target: 'none', request: () => get('/api/health') },
  'GET /api/health/live': { roles: 'public', target: 'none', request: () => get('/api/health/live'), granted: 200 },
  'GET /api/health/ready': { roles: 'public', target: 'none', request: () => get('/api/health/ready'), granted: 200 },
  // Prometheus metrics: an administrator's session (or the scrape token, tests/server/operations.test.ts).
  'GET /metrics': { roles: ['admin'], target: 'none', request: () => get('/metrics'), granted: 200 },
  'GET /api/session': { roles: 'public', target: 'none', request: () => get('/api/session'), granted: 200 },
  // A wrong password: the route itself is open to everyone; the answer is the same for all.
  'POST /api/auth/login': {
    roles: 'public',
    target: 'none',
    // A name of its own per caller, so the account lockout of one does not answer the next.
    request: (c) => ({ method: 'POST', url: '/api/auth/login', json: { username: `nobody-${c.role ?? 'anonymous'}`, password: 'not-the-password-1' } }),
    granted: 401,
  },
  'POST /api/auth/logout': { roles: 'public', target: 'none', request: () => ({ method: 'POST', url: '/api/auth/logout', json: {} }), granted: 200 },
  'POST /api/auth/password': {
    roles: ROLES,
    target: 'none',
    // A wrong current password: refused by the check, after the route let the user in.
    request: () => ({ method: 'POST', url: '/api/auth/password', json: { currentPassword: 'not-the-password-1', newPassword: 'Another-Long-Phrase-77' } }),
    granted: 400,
  },
  'GET /api/audit': { roles: ['admin', 'archivist'], target: 'none', request: () => get('/api/audit?limit=5'), granted: 200 },
  'GET /api/audit/verify': { roles: ['admin', 'archivist'], target: 'none', request: () => get('/api/audit/verify'), granted: 200 },
  'GET /api/users': { roles: ['admin'], target: 'none', request: () => get('/api/users'), granted: 200 },
  'POST /api/users': {
    roles: ['admin'],
    target: 'none',
    request: () => ({ method: 'POST', url: '/api/users', json: { username: 'matrix-new', password: 'Matrix-Newcomer-2931', fullName: 'New', roles: ['researcher'] } }),
  },
  'POST /api/users/{id}/suspend': { roles: ['admin'], target: 'none', request: (c) => ({ method: 'POST', url: `/api/users/${c.victim}/suspend`, json: { reason: 'matrix' } }) },
  'POST /api/users/{id}/password': { roles: ['admin'], target: 'none', request: (c) => ({ method: 'POST', url: `/api/users/${c.victim}/password`, json: { password: 'Victim-Fresh-Lantern-58' } }), granted: 200 },
  'POST /api/users/{id}/reinstate': { roles: ['admin'], target: 'none', request: (c) => ({ method: 'POST', url: `/api/users/${c.victim}/reinstate`, json: {} }) },
  // Signing certificates bound to users (signer identity): the administrator's alone.
  'GET /api/users/certificates/pending': { roles: ['admin'], target: 'none', request: () => get('/api/users/certificates/pending'), granted: 200 },
  'GET /api/users/{id}/certificates': { roles: ['admin'], target: 'none', request: (c) => get(`/api/users/${c.victim}/certificates`), granted: 200 },
  'POST /api/users/{id}/certificates': { roles: ['admin'], target: 'none', request: (c) => ({ method: 'POST', url: `/api/users/${c.victim}/certificates`, json: { certificate: Buffer.from('not a certificate at all').toString('base64') } }) },
  'POST /api/users/{id}/certificates/{binding}/confirm': {
    roles: ['admin'],
    target: 'none',
    request: (c) => ({ method: 'POST', url: `/api/users/${c.victim}/certificates/00000000-0000-4000-8000-000000000000/confirm`, json: {} }),
  },
  'POST /api/users/{id}/certificates/{binding}/remove': {
    roles: ['admin'],
    target: 'none',
    request: (c) => ({ method: 'POST', url: `/api/users/${c.victim}/certificates/00000000-0000-4000-8000-000000000000/remove`, json: { reason: 'matrix' } }),
  },
  'POST /api/integrity/runs': { roles: KEEPERS, target: 'none', request: () => ({ method: 'POST', url: '/api/integrity/runs', json: {} }) },
  'GET /api/integrity/runs': { roles: KEEPERS, target: 'none', request: () => get('/api/integrity/runs'), granted: 200 },
  'GET /api/integrity/runs/{id}': { roles: KEEPERS, target: 'none', request: () => get('/api/integrity/runs/00000000-0000-4000-8000-000000000000'), granted: 404 },
  'POST /api/integrity/runs/{id}/resume': { roles: KEEPERS, target: 'none', request: () => ({ method: 'POST', url: '/api/integrity/runs/00000000-0000-4000-8000-000000000000/resume', json: {} }), granted: 404 },
  'GET /api/integrity/runs/{id}/{file}': { roles: KEEPERS, target: 'none', request: () => get('/api/integrity/runs/00000000-0000-4000-8000-000000000000/report.pdf'), granted: 404 },
  'GET /api/integrity/fixity': { roles: KEEPERS, target: 'none', request: () => get('/api/integrity/fixity'), granted: 200 },
  'PUT /api/integrity/fixity/schedule': { roles: KEEPERS, target: 'none', request: () => ({ method: 'PUT', url: '/api/integrity/fixity/schedule', json: { cycleDays: 0 } }), granted: 400 },
  // Destruction (destruction.routes.ts): readers of destruction acts see the records and certificates; archivists execute.
  'POST /api/destruction/acts/{id}/execute': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: '/api/destruction/acts/00000000-0000-4000-8000-000000000000/execute', json: { confirm: '1/2031' } }), granted: 404 },
  'GET /api/destruction/dossiers': { roles: ['archivist', 'commission_chair', 'commission_secretary', 'commission_member', 'organisation_head', 'admin'], target: 'none', request: () => get('/api/destruction/dossiers'), granted: 200 },
  'GET /api/destruction/certificates/{id}': { roles: ['archivist', 'commission_chair', 'commission_secretary', 'commission_member', 'organisation_head', 'admin'], target: 'none', request: () => get('/api/destruction/certificates/00000000-0000-4000-8000-000000000000'), granted: 404 },
  'GET /api/destruction/certificates/{id}/statement': { roles: ['archivist', 'commission_chair', 'commission_secretary', 'commission_member', 'organisation_head', 'admin'], target: 'none', request: () => get('/api/destruction/certificates/00000000-0000-4000-8000-000000000000/statement'), granted: 404 },
  'GET /api/destruction/certificates/{id}/signature': { roles: ['archivist', 'commission_chair', 'commission_secretary', 'commission_member', 'organisation_head', 'admin'], target: 'none', request: () => get('/api/destruction/certificates/00000000-0000-4000-8000-000000000000/signature'), granted: 404 },
  'POST /api/destruction/certificates/{id}/signature': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: '/api/destruction/certificates/00000000-0000-4000-8000-000000000000/signature', json: { cms: 'MIIBAAAAAAAAAAAAAAAA' } }), granted: 404 },
  // Signature reconciliation (p.97-1): the archivist compares, the organisation head re-certifies.
  'GET /api/reconciliation/tasks': { roles: ['archivist', 'organisation_head', 'admin'], target: 'none', request: () => get('/api/reconciliation/tasks'), granted: 200 },
  'GET /api/reconciliation/tasks/{id}': { roles: ['archivist', 'organisation_head', 'admin'], target: 'none', request: () => get(`/api/reconciliation/tasks/${RANDOM_ID}`), granted: 404 },
  'GET /api/reconciliation/tasks/{id}/content': { roles: ['archivist', 'organisation_head', 'admin'], target: 'none', request: () => get(`/api/reconciliation/tasks/${RANDOM_ID}/content`), granted: 404 },
  'POST /api/reconciliation/recheck': { roles: KEEPERS, target: 'none', request: () => ({ method: 'POST', url: '/api/reconciliation/recheck', json: { dossierId: RANDOM_ID } }), granted: 404 },
  'POST /api/reconciliation/tasks/{id}/comparison': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: `/api/reconciliation/tasks/${RANDOM_ID}/comparison`, json: { comparison: 'paper_matches' } }), granted: 404 },
  'POST /api/reconciliation/tasks/{id}/recertification': { roles: ['organisation_head'], target: 'none', request: () => ({ method: 'POST', url: `/api/reconciliation/tasks/${RANDOM_ID}/recertification`, json: { cms: 'MAA=' } }), granted: 404 },
  'GET /api/dossiers': { roles: READERS, target: 'none', request: () => get('/api/dossiers'), granted: 200 },
  // Full-text search (search/): the dossier list's readers; what each finds is narrowed inside.
  'GET /api/search': { roles: READERS, target: 'none', request: () => get('/api/search?q=matrix'), granted: 200 },
  'GET /api/dossiers/{id}': { roles: READERS, target: 'dossier', request: (c) => get(`/api/dossiers/${dossierOf(c)}`), granted: 200 },
  'GET /api/dossiers/{id}/documents/{n}/original': { roles: STAFF, target: 'dossier', request: (c) => get(`/api/dossiers/${dossierOf(c)}/documents/1/original`), granted: 200 },
  'GET /api/dossiers/{id}/documents/{n}/rendition': { roles: READERS, target: 'dossier', request: (c) => get(`/api/dossiers/${dossierOf(c)}/documents/1/rendition`), granted: 200 },
  'GET /api/dossiers/{id}/inventory': { roles: READERS, target: 'dossier', request: (c) => get(`/api/dossiers/${dossierOf(c)}/inventory?format=json`), granted: 200 },
  // E-ARK export (exchange.routes.ts): the whole record for a state archive, archivist and admin only.
  'GET /api/dossiers/{id}/export': { roles: ['archivist', 'admin'], target: 'dossier', request: (c) => get(`/api/dossiers/${dossierOf(c)}/export`), granted: 200 },
  // Researcher access rules (access/, issue 13): the archivist reads and sets them; a rule the
  // fonds creator could not have meant (a date on an open rule) is refused; no exception, no report user.
  'GET /api/dossiers/{id}/access': { roles: ['archivist'], target: 'dossier', request: (c) => get(`/api/dossiers/${dossierOf(c)}/access`), granted: 200 },
  'POST /api/dossiers/{id}/access': { roles: ['archivist'], target: 'dossier', request: (c) => ({ method: 'POST', url: `/api/dossiers/${dossierOf(c)}/access`, json: { kind: 'open', until: '2030-01-01' } }), granted: 400 },
  'POST /api/dossiers/{id}/documents/{n}/access': { roles: ['archivist'], target: 'dossier', request: (c) => ({ method: 'POST', url: `/api/dossiers/${dossierOf(c)}/documents/1/access`, json: { kind: 'open', until: '2030-01-01' } }), granted: 400 },
  'POST /api/dossiers/{id}/access/exceptions': { roles: ['archivist'], target: 'dossier', request: (c) => ({ method: 'POST', url: `/api/dossiers/${dossierOf(c)}/access/exceptions`, json: { username: 'nobody-at-all', grounds: 'data_subject', reference: 'matrix' } }), granted: 404 },
  'POST /api/access/exceptions/{id}/revoke': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: `/api/access/exceptions/${RANDOM_ID}/revoke`, json: { reason: 'matrix' } }), granted: 404 },
  'GET /api/access/report': { roles: ['archivist', 'admin'], target: 'none', request: () => get('/api/access/report?user=nobody-at-all'), granted: 404 },
  // Official forms (forms/): App. 32 of a dossier follows the dossier's readers and department;
  // a stored rendition is read or signed by readers of its kind (a random id: 404 when granted).
  'GET /api/forms/{kind}/{id}': { roles: READERS, target: 'dossier', request: (c) => get(`/api/forms/internal-inventory/${dossierOf(c)}?format=json`), granted: 200 },
  'POST /api/forms/{kind}/{id}/renditions': {
    roles: STAFF,
    target: 'dossier',
    request: (c) => ({ method: 'POST', url: `/api/forms/internal-inventory/${dossierOf(c)}/renditions`, json: { format: 'csv', lang: 'ru' } }),
    granted: 201,
  },
  'GET /api/forms/{kind}/{id}/renditions': { roles: READERS, target: 'dossier', request: (c) => get(`/api/forms/internal-inventory/${dossierOf(c)}/renditions`), granted: 200 },
  'GET /api/form-renditions/{id}': { roles: ANY_FORM_READERS, target: 'none', request: () => get(`/api/form-renditions/${RANDOM_ID}`), granted: 404 },
  'POST /api/form-renditions/{id}/signature': {
    roles: ANY_FORM_READERS,
    target: 'none',
    request: () => ({ method: 'POST', url: `/api/form-renditions/${RANDOM_ID}/signature`, json: { cms: 'MIIBAAAAAAAAAAAAAAAA' } }),
    granted: 404,
  },
  'GET /api/dossiers/{id}/signing-content': {
    roles: STAFF,
    target: 'dossier',
    request: (c) => get(`/api/dossiers/${dossierOf(c)}/signing-content?kind=${c.role === 'department_head' ? 'integrity' : 'inventory'}`),
    granted: 200,
  },
  'POST /api/dossiers/{id}/signatures': {
    roles: STAFF,
    target: 'dossier',
    // Not a signature at all: a granted request is refused by verification, never stored.
    request: (c) => ({ method: 'POST', url: `/api/dossiers/${dossierOf(c)}/signatures`, json: { kind: c.role === 'department_head' ? 'integrity' : 'inventory', cms: Buffer.from('not a CMS signature at all').toString('base64') } }),
  },
  'POST /api/transfers/uploads': { roles: UPLOADERS, target: 'none', request: () => ({ method: 'POST', url: '/api/transfers/uploads', json: { filename: 'matrix.tar', size: 10 } }), granted: 201 },
  'GET /api/transfers/uploads/{id}': { roles: UPLOADERS, target: 'upload', request: (c) => get(`/api/transfers/uploads/${c.upload[c.variant]}`), granted: 200 },
  'PUT /api/transfers/uploads/{id}': {
    roles: UPLOADERS,
    target: 'upload',
    // Past the announced size: a granted request is refused as such, and nothing is stored.
    request: (c) => ({ method: 'PUT', url: `/api/transfers/uploads/${c.upload[c.variant]}?offset=0`, bytes: new Uint8Array(20), headers: { 'content-type': 'application/octet-stream' } }),
    granted: 400,
  },
  'POST /api/transfers/uploads/{id}/complete': {
    roles: UPLOADERS,
    target: 'upload',
    // Nothing uploaded yet: a granted request is told the upload is incomplete.
    request: (c) => ({ method: 'POST', url: `/api/transfers/uploads/${c.upload[c.variant]}/complete`, json: {} }),
    granted: 409,
  },
  // A transfer prepared in the browser: an empty form is refused field by field (400) to the granted.
  'POST /api/transfers/uploads/{id}/prepare': { roles: UPLOADERS, target: 'none', request: (c) => ({ method: 'POST', url: `/api/transfers/uploads/${c.upload[c.variant]}/prepare`, json: {} }), granted: 400 },
  // Retry and cancel: a completed transfer is neither, so a granted request is told so (409).
  'POST /api/transfers/{id}/retry': { roles: UPLOADERS, target: 'transfer', request: (c) => ({ method: 'POST', url: `/api/transfers/${transferOf(c)}/retry`, json: {} }), granted: 409 },
  'POST /api/transfers/{id}/cancel': { roles: UPLOADERS, target: 'transfer', request: (c) => ({ method: 'POST', url: `/api/transfers/${transferOf(c)}/cancel`, json: {} }), granted: 409 },
  // The archivist's decision on a case index already kept; organisation-wide, so never hidden.
  'POST /api/transfers/{id}/new-volume': { roles: ['archivist'], target: 'transfer', request: (c) => ({ method: 'POST', url: `/api/transfers/${transferOf(c)}/new-volume`, json: {} }), granted: 409 },
  'POST /api/transfers/{id}/keep-refused': { roles: ['archivist'], target: 'transfer', request: (c) => ({ method: 'POST', url: `/api/transfers/${transferOf(c)}/keep-refused`, json: {} }), granted: 409 },
  // What a refused transfer collides with: the department's staff read it, the archivist decides.
  'GET /api/transfers/{id}/case-index': { roles: STAFF, target: 'transfer', request: (c) => get(`/api/transfers/${transferOf(c)}/case-index`), granted: 200 },
  'GET /api/transfers': { roles: STAFF, target: 'none', request: () => get('/api/transfers'), granted: 200 },
  'GET /api/transfers/{id}': { roles: STAFF, target: 'transfer', request: (c) => get(`/api/transfers/${transferOf(c)}`), granted: 200 },
  'GET /api/transfers/{id}/report': { roles: STAFF, target: 'transfer', request: (c) => get(`/api/transfers/${transferOf(c)}/report`), granted: 200 },
  // The retention list is reference data for everyone signed in; only the archive loads a version.
  // No list is imported here, so the latest is not found, and the import's file is refused (no columns).
  'GET /api/retention-lists': { roles: ROLES, target: 'none', request: () => get('/api/retention-lists'), granted: 200 },
  'GET /api/retention-lists/{version}': { roles: ROLES, target: 'none', request: () => get('/api/retention-lists/latest'), granted: 404 },
  'POST /api/retention-lists': { roles: KEEPERS, target: 'none', request: () => ({ method: 'POST', url: '/api/retention-lists', json: { format: 'csv', content: 'article\n' } }), granted: 400 },
  // Inventories of e-dossiers (App. 30): compiled by the archivist, approved by the department head,
  // read by the archive, the departments' staff (their own only) and the expert commission. No
  // inventory exists here, so one named by id answers 404 to everyone let in (another department's
  // answers the same); a build for dossiers kept up to 10 years is refused (p.194).
  'GET /api/inventories': { roles: INVENTORY_READERS, target: 'none', request: () => get('/api/inventories'), granted: 200 },
  'POST /api/inventories': {
    roles: ['archivist'],
    target: 'none',
    request: () => ({ method: 'POST', url: '/api/inventories', json: { department: '02', year: 2025, category: 'up_to_10', compiler: { name: 'A. B. Matrix', position: 'archivist' } } }),
    granted: 400,
  },
  'GET /api/inventories/{id}': { roles: INVENTORY_READERS, target: 'none', request: () => get(`/api/inventories/${NO_INVENTORY}`), granted: 404 },
  'POST /api/inventories/{id}/details': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: `/api/inventories/${NO_INVENTORY}/details`, json: {} }), granted: 404 },
  'POST /api/inventories/{id}/discard': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: `/api/inventories/${NO_INVENTORY}/discard`, json: { reason: 'matrix' } }), granted: 404 },
  'GET /api/inventories/{id}/signing-content': { roles: INVENTORY_READERS, target: 'none', request: () => get(`/api/inventories/${NO_INVENTORY}/signing-content`), granted: 404 },
  'POST /api/inventories/{id}/approval': {
    roles: ['department_head'],
    target: 'none',
    request: () => ({ method: 'POST', url: `/api/inventories/${NO_INVENTORY}/approval`, json: { cms: Buffer.from('not a CMS signature at all').toString('base64') } }),
    granted: 404,
  },
  'GET /api/inventories/{id}/export': { roles: INVENTORY_READERS, target: 'none', request: () => get(`/api/inventories/${NO_INVENTORY}/export?format=csv`), granted: 404 },
  // Editing happens in a draft only the archive sees; none exists here, so the draft's routes answer
  // 404, and an article without its fields is refused before the draft is looked up.
  'POST /api/retention-lists/preview': { roles: KEEPERS, target: 'none', request: () => ({ method: 'POST', url: '/api/retention-lists/preview', json: { format: 'csv', content: 'article\n' } }), granted: 200 },
  'GET /api/retention-lists/draft': { roles: KEEPERS, target: 'none', request: () => get('/api/retention-lists/draft'), granted: 404 },
  'POST /api/retention-lists/draft': { roles: KEEPERS, target: 'none', request: () => ({ method: 'POST', url: '/api/retention-lists/draft', json: { fromVersion: 1 } }), granted: 404 },
  'PATCH /api/retention-lists/draft': { roles: KEEPERS, target: 'none', request: () => ({ method: 'PATCH', url: '/api/retention-lists/draft', json: { title: 'x' } }), granted: 404 },
  'DELETE /api/retention-lists/draft': { roles: KEEPERS, target: 'none', request: () => ({ method: 'DELETE', url: '/api/retention-lists/draft' }), granted: 404 },
  'POST /api/retention-lists/draft/articles': { roles: KEEPERS, target: 'none', request: () => ({ method: 'POST', url: '/api/retention-lists/draft/articles', json: {} }), granted: 400 },
  'PUT /api/retention-lists/draft/articles/{id}': { roles: KEEPERS, target: 'none', request: () => ({ method: 'PUT', url: `/api/retention-lists/draft/articles/${RANDOM_ID}`, json: {} }), granted: 400 },
  'DELETE /api/retention-lists/draft/articles/{id}': { roles: KEEPERS, target: 'none', request: () => ({ method: 'DELETE', url: `/api/retention-lists/draft/articles/${RANDOM_ID}` }), granted: 404 },
  'POST /api/retention-lists/draft/publish': { roles: KEEPERS, target: 'none', request: () => ({ method: 'POST', url: '/api/retention-lists/draft/publish' }), granted: 404 },
  // Transfer schedules (App. 31): an organisation-wide plan read by the archive, departments' staff
  // and heads; drafted by the archive, approved by the organisation head. No schedule for 1999 exists.
  'GET /api/transfer-schedules': { roles: ['archivist', 'admin', 'department_clerk', 'department_head', 'records_head', 'organisation_head'], target: 'none', request: () => get('/api/transfer-schedules'), granted: 200 },
  'POST /api/transfer-schedules': { roles: ['archivist', 'admin'], target: 'none', request: () => ({ method: 'POST', url: '/api/transfer-schedules', json: { year: 2099 } }) },
  'GET /api/transfer-schedules/reminders': { roles: ROLES, target: 'none', request: () => get('/api/transfer-schedules/reminders'), granted: 200 },
  'GET /api/transfer-schedules/{id}': { roles: ['archivist', 'admin', 'department_clerk', 'department_head', 'records_head', 'organisation_head'], target: 'none', request: () => get('/api/transfer-schedules/1999'), granted: 404 },
  'POST /api/transfer-schedules/{id}/rows': {
    roles: ['archivist', 'admin'],
    target: 'none',
    request: () => ({ method: 'POST', url: '/api/transfer-schedules/1999/rows', json: { department: '02', deadline: '1999-03-01', responsible: 'nobody' } }),
    granted: 404,
  },
  'POST /api/transfer-schedules/{id}/rows/{row}/remove': { roles: ['archivist', 'admin'], target: 'none', request: () => ({ method: 'POST', url: '/api/transfer-schedules/1999/rows/00000000-0000-4000-8000-000000000000/remove', json: {} }), granted: 404 },
  'POST /api/transfer-schedules/{id}/approve': { roles: ['organisation_head'], target: 'none', request: () => ({ method: 'POST', url: '/api/transfer-schedules/1999/approve', json: {} }), granted: 404 },
  // Acceptance (App. 33): read through the transfer (hidden from other departments); only the
  // archivist decides (a granted request here is refused by its body, so nothing is decided).
  'GET /api/transfers/{id}/acceptance': { roles: ['archivist', 'admin', 'department_clerk', 'department_head', 'organisation_head'], target: 'transfer', request: (c) => get(`/api/transfers/${transferOf(c)}/acceptance`), granted: 200 },
  'GET /api/transfers/{id}/acceptance/act.pdf': { roles: ['archivist', 'admin', 'department_clerk', 'department_head', 'organisation_head'], target: 'transfer', request: (c) => get(`/api/transfers/${transferOf(c)}/acceptance/act.pdf?form=kk`), granted: 404 },
  'POST /api/transfers/{id}/accept': { roles: ['archivist'], target: 'transfer', request: (c) => ({ method: 'POST', url: `/api/transfers/${transferOf(c)}/accept`, json: { unknownField: 1 } }), granted: 400 },
  'POST /api/transfers/{id}/return': { roles: ['archivist'], target: 'transfer', request: (c) => ({ method: 'POST', url: `/api/transfers/${transferOf(c)}/return`, json: {} }), granted: 400 },
  'GET /api/acceptance-acts': { roles: ['archivist', 'admin', 'organisation_head'], target: 'none', request: () => get('/api/acceptance-acts'), granted: 200 },
  'GET /api/acceptance-acts/{id}': { roles: ['archivist', 'admin', 'organisation_head'], target: 'none', request: () => get('/api/acceptance-acts/00000000-0000-4000-8000-000000000000'), granted: 404 },
  'POST /api/acceptance-acts/{id}/approve': { roles: ['organisation_head'], target: 'none', request: () => ({ method: 'POST', url: '/api/acceptance-acts/00000000-0000-4000-8000-000000000000/approve', json: {} }), granted: 404 },
  // The nomenclature (App. 26): read by everyone signed in; drafted by the records service and the
  // archive; each approval step by its own role (p.133). No nomenclature of 2199 exists, so a granted
  // request is told so (404); a file without the heading column and the year 1800 are refused (400).
  'GET /api/nomenclatures': { roles: ROLES, target: 'none', request: () => get('/api/nomenclatures'), granted: 200 },
  'POST /api/nomenclatures': { roles: NOMENCLATURE_EDITORS, target: 'none', request: () => ({ method: 'POST', url: '/api/nomenclatures', json: { year: 1800 } }), granted: 400 },
  'GET /api/nomenclatures/{year}': { roles: ROLES, target: 'none', request: () => get('/api/nomenclatures/2199'), granted: 404 },
  'GET /api/nomenclatures/{year}/summary': { roles: ROLES, target: 'none', request: () => get('/api/nomenclatures/2199/summary'), granted: 404 },
  'POST /api/nomenclatures/{year}/copy': { roles: NOMENCLATURE_EDITORS, target: 'none', request: () => ({ method: 'POST', url: '/api/nomenclatures/2199/copy', json: {} }), granted: 404 },
  'POST /api/nomenclatures/{year}/revise': { roles: NOMENCLATURE_EDITORS, target: 'none', request: () => ({ method: 'POST', url: '/api/nomenclatures/2199/revise', json: {} }), granted: 404 },
  'POST /api/nomenclatures/{year}/import': { roles: NOMENCLATURE_EDITORS, target: 'none', request: () => ({ method: 'POST', url: '/api/nomenclatures/2199/import', json: { format: 'csv', content: 'department\n01\n' } }), granted: 400 },
  'POST /api/nomenclatures/{year}/items': {
    roles: NOMENCLATURE_EDITORS,
    target: 'none',
    request: () => ({ method: 'POST', url: '/api/nomenclatures/2199/items', json: { departmentCode: '02', heading: 'Matrix', retention: { kind: 'permanent' } } }),
    granted: 404,
  },
  'PATCH /api/nomenclatures/{year}/items/{index}': { roles: NOMENCLATURE_EDITORS, target: 'none', request: () => ({ method: 'PATCH', url: '/api/nomenclatures/2199/items/02-1', json: { heading: 'Matrix' } }), granted: 404 },
  'DELETE /api/nomenclatures/{year}/items/{index}': { roles: NOMENCLATURE_EDITORS, target: 'none', request: () => ({ method: 'DELETE', url: '/api/nomenclatures/2199/items/02-1' }), granted: 404 },
  'POST /api/nomenclatures/{year}/sections': { roles: NOMENCLATURE_EDITORS, target: 'none', request: () => ({ method: 'POST', url: '/api/nomenclatures/2199/sections', json: { order: ['02'] } }), granted: 404 },
  'POST /api/nomenclatures/{year}/settings': { roles: NOMENCLATURE_EDITORS, target: 'none', request: () => ({ method: 'POST', url: '/api/nomenclatures/2199/settings', json: { epkRequired: true } }), granted: 404 },
  'POST /api/nomenclatures/{year}/steps': {
    roles: ['records_head', 'commission_secretary', 'commission_chair', 'organisation_head'],
    target: 'none',
    // Each role asks for its own step.
    request: (c) => ({
      method: 'POST',
      url: '/api/nomenclatures/2199/steps',
      json: c.role === 'records_head' || c.role === 'organisation_head' ? { step: c.role } : { step: 'expert_commission', protocolNumber: '1', date: '2020-01-10' },
    }),
    granted: 404,
  },
  'POST /api/nomenclatures/{year}/return': {
    roles: ['records_head', 'archivist', 'commission_secretary', 'commission_chair', 'organisation_head'],
    target: 'none',
    request: () => ({ method: 'POST', url: '/api/nomenclatures/2199/return', json: { reason: 'matrix' } }),
    granted: 404,
  },
  'POST /api/nomenclatures/{year}/counts': { roles: NOMENCLATURE_EDITORS, target: 'none', request: () => ({ method: 'POST', url: '/api/nomenclatures/2199/counts', json: { counts: { '02-1': 1 } } }), granted: 404 },
  // Researchers and copy requests (issue 13): the portal for researchers and the archivist, the queue
  // for the archivist; self-registration and the package link need no session (an empty form is
  // refused field by field, an unknown token is 404). No request RANDOM_ID exists: 404 when granted.
  'POST /api/research/registrations': { roles: 'public', target: 'none', request: () => ({ method: 'POST', url: '/api/research/registrations', json: {} }), granted: 400 },
  'GET /api/research/packages/{token}': { roles: 'public', target: 'none', request: () => get('/api/research/packages/matrix-unknown-token-000000000000'), granted: 404 },
  'GET /api/research/profile': { roles: ['researcher', 'archivist'], target: 'none', request: () => get('/api/research/profile'), granted: 200 },
  'GET /api/research/requests': { roles: ['researcher', 'archivist'], target: 'none', request: () => get('/api/research/requests'), granted: 200 },
  'POST /api/research/requests': { roles: ['researcher'], target: 'none', request: () => ({ method: 'POST', url: '/api/research/requests', json: {} }), granted: 400 },
  'GET /api/research/requests/{id}': { roles: ['researcher', 'archivist'], target: 'none', request: () => get(`/api/research/requests/${RANDOM_ID}`), granted: 404 },
  'GET /api/research/requests/{id}/package': { roles: ['researcher', 'archivist'], target: 'none', request: () => get(`/api/research/requests/${RANDOM_ID}/package`), granted: 404 },
  'GET /api/research/requests/{id}/print': { roles: ['archivist'], target: 'none', request: () => get(`/api/research/requests/${RANDOM_ID}/print`), granted: 404 },
  'POST /api/research/requests/{id}/approve': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: `/api/research/requests/${RANDOM_ID}/approve`, json: {} }), granted: 404 },
  'POST /api/research/requests/{id}/refuse': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: `/api/research/requests/${RANDOM_ID}/refuse`, json: {} }), granted: 400 },
  'POST /api/research/requests/{id}/copies': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: `/api/research/requests/${RANDOM_ID}/copies`, json: {} }), granted: 404 },
  'POST /api/research/requests/{id}/deliver': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: `/api/research/requests/${RANDOM_ID}/deliver`, json: {} }), granted: 404 },
  'GET /api/research/researchers': { roles: ['archivist'], target: 'none', request: () => get('/api/research/researchers'), granted: 200 },
  'POST /api/research/researchers': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: '/api/research/researchers', json: {} }), granted: 400 },
  'POST /api/research/researchers/{id}/confirm': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: `/api/research/researchers/${RANDOM_ID}/confirm`, json: {} }), granted: 404 },
  'POST /api/research/researchers/{id}/refuse': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: `/api/research/researchers/${RANDOM_ID}/refuse`, json: {} }), granted: 400 },
  'GET /api/research/notifications': { roles: ['researcher', 'archivist'], target: 'none', request: () => get('/api/research/notifications'), granted: 200 },
  'POST /api/research/notifications/read': { roles: ['researcher', 'archivist'], target: 'none', request: () => ({ method: 'POST', url: '/api/research/notifications/read', json: {} }), granted: 200 },
  // The expert commission (commission/): its members, the administrator, the archive and the head
  // read; the secretary (or the admin) runs meetings; members vote; the chair and the secretary
  // sign the protocol (random ids: 404 when granted).
  'GET /api/commission': { roles: COMMISSION_READERS, target: 'none', request: () => get('/api/commission'), granted: 200 },
  'PATCH /api/commission/settings': { roles: ['commission_chair', 'admin'], target: 'none', request: () => ({ method: 'PATCH', url: '/api/commission/settings', json: { quorumPercent: 50 } }), granted: 200 },
  'GET /api/commission/members': { roles: COMMISSION_READERS, target: 'none', request: () => get('/api/commission/members'), granted: 200 },
  'POST /api/commission/members': { roles: COMMISSION_RUNNERS, target: 'none', request: () => ({ method: 'POST', url: '/api/commission/members', json: { user: 'nobody-here', role: 'member', termFrom: '2026-01-01' } }), granted: 404 },
  'PATCH /api/commission/members/{id}': { roles: COMMISSION_RUNNERS, target: 'none', request: () => ({ method: 'PATCH', url: `/api/commission/members/${RANDOM_ID}`, json: { termTo: null } }), granted: 404 },
  'GET /api/commission/meetings': { roles: COMMISSION_READERS, target: 'none', request: () => get('/api/commission/meetings'), granted: 200 },
  'POST /api/commission/meetings': { roles: COMMISSION_RUNNERS, target: 'none', request: () => ({ method: 'POST', url: '/api/commission/meetings', json: {} }), granted: 400 },
  'GET /api/commission/meetings/{id}': { roles: COMMISSION_READERS, target: 'none', request: () => get(`/api/commission/meetings/${RANDOM_ID}`), granted: 404 },
  'POST /api/commission/meetings/{id}/hold': { roles: COMMISSION_RUNNERS, target: 'none', request: () => ({ method: 'POST', url: `/api/commission/meetings/${RANDOM_ID}/hold`, json: { present: [] } }), granted: 404 },
  'POST /api/commission/meetings/{id}/agenda': { roles: COMMISSION_RUNNERS, target: 'none', request: () => ({ method: 'POST', url: `/api/commission/meetings/${RANDOM_ID}/agenda`, json: { itemId: RANDOM_ID } }), granted: 404 },
  'POST /api/commission/meetings/{id}/protocol': { roles: COMMISSION_RUNNERS, target: 'none', request: () => ({ method: 'POST', url: `/api/commission/meetings/${RANDOM_ID}/protocol`, json: {} }), granted: 404 },
  'GET /api/commission/proposals': { roles: COMMISSION_READERS, target: 'none', request: () => get('/api/commission/proposals'), granted: 200 },
  'POST /api/commission/items/{id}/unschedule': { roles: COMMISSION_RUNNERS, target: 'none', request: () => ({ method: 'POST', url: `/api/commission/items/${RANDOM_ID}/unschedule`, json: {} }), granted: 404 },
  'POST /api/commission/items/{id}/votes': { roles: COMMISSION_ROLES, target: 'none', request: () => ({ method: 'POST', url: `/api/commission/items/${RANDOM_ID}/votes`, json: { vote: 'for' } }), granted: 404 },
  'POST /api/commission/items/{id}/close': { roles: COMMISSION_RUNNERS, target: 'none', request: () => ({ method: 'POST', url: `/api/commission/items/${RANDOM_ID}/close`, json: {} }), granted: 404 },
  'GET /api/commission/decisions': { roles: COMMISSION_READERS, target: 'none', request: () => get('/api/commission/decisions?kind=move_to_permanent&subjectId=x'), granted: 200 },
  'GET /api/commission/protocol-renditions/{id}': { roles: COMMISSION_READERS, target: 'none', request: () => get(`/api/commission/protocol-renditions/${RANDOM_ID}`), granted: 404 },
  'POST /api/commission/protocol-renditions/{id}/signature': {
    roles: ['commission_chair', 'commission_secretary'],
    target: 'none',
    request: () => ({ method: 'POST', url: `/api/commission/protocol-renditions/${RANDOM_ID}/signature`, json: { cms: 'MIIBAAAAAAAAAAAAAAAA' } }),
    granted: 404,
  },
  // Appraisal, holds and destruction acts (appraisal/): the archivist appraises, holds and drafts;
  // the commission, the head and the admin read; the head approves.
  'GET /api/appraisal': { roles: ACT_READERS, target: 'none', request: () => get('/api/appraisal?by=2026-12-31'), granted: 200 },
  'GET /api/appraisal/dossiers/{id}/decisions': { roles: ACT_READERS, target: 'none', request: () => get(`/api/appraisal/dossiers/${RANDOM_ID}/decisions`), granted: 200 },
  'POST /api/appraisal/decisions': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: '/api/appraisal/decisions', json: { dossierId: RANDOM_ID, decision: 'destroy', reason: 'matrix' } }), granted: 404 },
  'POST /api/appraisal/apply-decisions': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: '/api/appraisal/apply-decisions', json: {} }), granted: 200 },
  'GET /api/holds': { roles: ACT_READERS, target: 'none', request: () => get('/api/holds'), granted: 200 },
  'POST /api/holds': { roles: KEEPERS, target: 'none', request: () => ({ method: 'POST', url: '/api/holds', json: { scope: 'dossier', dossierId: RANDOM_ID, reason: 'matrix' } }), granted: 404 },
  'POST /api/holds/{id}/lift': { roles: KEEPERS, target: 'none', request: () => ({ method: 'POST', url: `/api/holds/${RANDOM_ID}/lift`, json: { reason: 'matrix' } }), granted: 404 },
  'GET /api/destruction-acts': { roles: ACT_READERS, target: 'none', request: () => get('/api/destruction-acts'), granted: 200 },
  'POST /api/destruction-acts': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: '/api/destruction-acts', json: { dossierIds: [RANDOM_ID], basis: 'matrix', appraiser: { name: 'A', position: 'B' } } }), granted: 404 },
  'GET /api/destruction-acts/{id}': { roles: ACT_READERS, target: 'none', request: () => get(`/api/destruction-acts/${RANDOM_ID}`), granted: 404 },
  'PATCH /api/destruction-acts/{id}': { roles: ['archivist'], target: 'none', request: () => ({ method: 'PATCH', url: `/api/destruction-acts/${RANDOM_ID}`, json: { basis: 'matrix' } }), granted: 404 },
  'POST /api/destruction-acts/{id}/submit': { roles: ['archivist'], target: 'none', request: () => ({ method: 'POST', url: `/api/destruction-acts/${RANDOM_ID}/submit`, json: {} }), granted: 404 },
  'POST /api/destruction-acts/{id}/refresh': { roles: ['archivist', 'organisation_head', 'commission_secretary', 'commission_chair'], target: 'none', request: () => ({ method: 'POST', url: `/api/destruction-acts/${RANDOM_ID}/refresh`, json: {} }), granted: 404 },
  'GET /api/destruction-acts/{id}/pdf': { roles: ACT_READERS, target: 'none', request: () => get(`/api/destruction-acts/${RANDOM_ID}/pdf?form=ru`), granted: 404 },
  'POST /api/destruction-acts/{id}/renditions': { roles: ['archivist', 'organisation_head'], target: 'none', request: () => ({ method: 'POST', url: `/api/destruction-acts/${RANDOM_ID}/renditions`, json: {} }), granted: 404 },
  'GET /api/destruction-acts/{id}/renditions/{renditionId}': { roles: ACT_READERS, target: 'none', request: () => get(`/api/destruction-acts/${RANDOM_ID}/renditions/${RANDOM_ID}`), granted: 404 },
  'POST /api/destruction-acts/{id}/approval': { roles: ['organisation_head'], target: 'none', request: () => ({ method: 'POST', url: `/api/destruction-acts/${RANDOM_ID}/approval`, json: { renditionId: RANDOM_ID, cms: 'MIIBAAAAAAAAAAAAAAAA' } }), granted: 404 },
};

const HIDDEN
: Record<Exclude<Target, 'none' | 'upload'>, string> = { dossier: 'ingest.dossier_not_found', transfer: 'ingest.transfer_not_found' };

type Expected = { status: number; code?: string } | { granted: true };

/** The expected answer, derived from the rule alone. */
function expected(rule: Rule, role: Role | null, variant: Variant): Expected {
  if (rule.roles === 'public') return rule.granted ? { status: rule.granted } : { granted: true };
  if (role === null) return { status: 401, code: 'auth.unauthenticated' };
  if (!rule.roles.includes(role)) return { status: 403, code: 'auth.forbidden' };
  if (variant === 'other') {
    const bound = (DEPARTMENT_ROLES as readonly Role[]).includes(role);
    // Another department's dossier or transfer is answered like a missing one.
    if (bound && (rule.target === 'dossier' || rule.target === 'transfer')) return { status: 404, code: HIDDEN[rule.target] };
    // Uploads belong to the user who announced them; the archivist may finish anyone's.
    if (rule.target === 'upload' && role !== 'archivist') return { status: 403, code: 'ingest.upload_not_yours' };
  }
  return rule.granted ? { status: rule.granted } : { granted: true };
}

function refusal(answer: Answer): boolean {
  const code = answer.body?.error?.code;
  return answer.status === 401 || (answer.status === 403 && (code === 'auth.forbidden' || code === 'ingest.upload_not_yours')) || Object.values(HIDDEN).includes(code);
}

describeEachDatabase('access matrix from the OpenAPI document', (getDb) => {
  let server: TestServer;
  let fx: DepartmentFixtures;
  const clients = new Map<Role | null, Client>();
  let otherUpload = '';
  let victim = '';

  beforeAll(async () => {
    server = await startTestServer(getDb().db, {}, { MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    fx = await createDepartmentFixtures(server);
    // Suspended and reinstated by the admin's rows; nobody else's session depends on it.
    victim = (await createUsersService({ db: server.deps.db }).add(SYSTEM_ACTOR, { username: 'u-victim', password: passwordOf('u-victim'), fullName: 'Victim', roles: ['researcher'] })).id;
    for (const role of ROLES) {
      const client = new Client(server.url);
      expect((await client.login(fx.users[role], passwordOf(fx.users[role]))).status).toBe(200);
      clients.set(role, client);
    }
    const anonymous = new Client(server.url);
    await anonymous.get('/api/session');
    clients.set(null, anonymous);
    const other = new Client(server.url);
    expect((await other.login(fx.otherClerk, passwordOf(fx.otherClerk))).status).toBe(200);
    otherUpload = (await other.post('/api/transfers/uploads', { filename: 'other.tar', size: 10 })).body.id;
    expect(otherUpload).toBeTruthy();
  }, 180_000);

  afterAll(async () => {
    if (server) {
      await processingIdle(server.deps.db);
      await server.stop();
    }
  });

  it('has one rule for every route of the OpenAPI document, and no rule for a route it lacks', async () => {
    const doc = (await clients.get(null)!.get('/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    const missing = documented.filter((k) => !(k in ACCESS));
    expect(missing, `routes without an access rule in tests/server/access-matrix.test.ts: ${missing.join(', ')}`).toEqual([]);
    expect(Object.keys(ACCESS).filter((k) => !documented.includes(k))).toEqual([]);
    // The document and the router agree, so no route escapes the document either.
    const mounted = server.routes.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
    expect([...new Set(mounted)]).toEqual(documented);
  });

  it('answers every route × role × own/other department as the table says', async () => {
    const failures: string[] = [];
    let checked = 0;
    // Logging out ends the caller's session: those go last, each with a session of its own.
    const keys = Object.keys(ACCESS).sort((a, b) => Number(a.includes('logout')) - Number(b.includes('logout')));
    for (const key of keys) {
      const rule = ACCESS[key]!;
      for (const role of [null, ...ROLES] as (Role | null)[]) {
        const variants: Variant[] = role === null || rule.target === 'none' ? ['own'] : ['own', 'other'];
        for (const variant of variants) {
          let client = clients.get(role)!;
          if (key.includes('logout') && role !== null) {
            client = new Client(server.url);
            await client.login(fx.users[role], passwordOf(fx.users[role]));
          }
          let ownUpload = '';
          if (rule.target === 'upload' && role !== null && UPLOADERS.includes(role)) {
            ownUpload = (await client.post('/api/transfers/uploads', { filename: 'own.tar', size: 10 })).body.id;
          }
          const c: Ctx = { fx, role, variant, upload: { own: ownUpload || otherUpload, other: otherUpload }, victim };
          const req = rule.request(c);
          const answer = await client.request(req.method, req.url, { json: req.json, body: req.bytes as never, headers: req.headers });
          const want = expected(rule, role, variant);
          const label = `${key} as ${role ?? 'anonymous'} (${variant})`;
          checked += 1;
          if (answer.status >= 500) failures.push(`${label}: ${answer.status} ${answer.text.slice(0, 200)}`);
          else if ('granted' in want) {
            if (refusal(answer)) failures.push(`${label}: expected to be let through, got ${answer.status} ${answer.body?.error?.code ?? ''}`);
          } else if (answer.status !== want.status || (want.code && answer.body?.error?.code !== want.code)) {
            failures.push(`${label}: expected ${want.status} ${want.code ?? ''}, got ${answer.status} ${answer.body?.error?.code ?? ''}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(Object.keys(ACCESS).length * ROLES.length);
  }, 300_000);

  it('lists only the own department for clerks and heads, everything for the others', async () => {
    for (const role of ROLES) {
      const client = clients.get(role)!;
      const bound = (DEPARTMENT_ROLES as readonly Role[]).includes(role);
      if (READERS.includes(role)) {
        const list = await client.get('/api/dossiers');
        const departments = new Set((list.body.dossiers as { department: string }[]).map((d) => d.department));
        expect([...departments].sort(), `dossiers seen by ${role}`).toEqual(bound ? [OWN] : [OWN, OTHER]);
        // Asking for the other department explicitly gives nothing, not its dossiers.
        const asked = await client.get(`/api/dossiers?department=${OTHER}`);
        expect(asked.body.total, `dossiers of ${OTHER} asked by ${role}`).toBe(bound ? 0 : 1);
      }
      if (STAFF.includes(role)) {
        const list = await client.get('/api/transfers');
        const ids = (list.body.transfers as { id: string }[]).map((t) => t.id);
        expect(ids.includes(fx.transfers[OWN]!), `own transfer seen by ${role}`).toBe(true);
        expect(ids.includes(fx.transfers[OTHER]!), `other transfer seen by ${role}`).toBe(!bound);
      }
    }
  });

  it('finds another department\'s dossier by case index no more than by id', async () => {
    const head = clients.get('department_head')!;
    const own = await head.get(`/api/dossiers/${encodeURIComponent(fx.dossiers[OWN]!.index)}`);
    expect(own.status).toBe(200);
    const other = await head.get(`/api/dossiers/${encodeURIComponent(fx.dossiers[OTHER]!.index)}`);
    const missing = await head.get('/api/dossiers/99-999');
    expect(other.status).toBe(404);
    // Exactly the answer for a dossier that does not exist, but for the name asked.
    expect(other.body.error.code).toBe(missing.body.error.code);
    expect(other.body.error.message.replace(fx.dossiers[OTHER]!.index, 'X')).toBe(missing.body.error.message.replace('99-999', 'X'));
  });
});
