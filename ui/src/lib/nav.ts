// Role-aware navigation: which menu items each role sees, and which page each path shows.
// A user holding several roles gets the union, in this order, without repeats.
import type { MessageKey } from './messages';

export const ROLES = ['admin', 'archivist', 'department_clerk', 'department_head',
  'commission_chair', 'commission_secretary', 'commission_member', 'researcher', 'records_head', 'organisation_head'] as const;
export type Role = (typeof ROLES)[number];

/** The page each menu item and link opens. */
export type PageKind = 'nomenclature' | 'inventories' | 'users' | 'audit' | 'health' | 'transfer-upload' | 'transfers' | 'transfer' | 'dossiers' | 'dossier' | 'integrity' | 'signers' | 'retention' | 'schedules' | 'schedule' | 'acceptance-acts' | 'transfer-prepare' | 'commission' | 'commission-meeting' | 'copy-requests' | 'research-queue' | 'search' | 'appraisal' | 'holds' | 'destruction-acts' | 'destruction-act' | 'destruction-execute' | 'reconciliation';

export interface NavItem {
  path: string;
  label: MessageKey;
  page: PageKind;
  roles: readonly Role[];
}

const COMMISSION: readonly Role[] = ['commission_chair', 'commission_secretary', 'commission_member'];

export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/users', label: 'ui.nav_users', page: 'users', roles: ['admin'] },
  { path: '/transfers/incoming', label: 'ui.nav_transfers_incoming', page: 'transfers', roles: ['archivist'] },
  { path: '/dossiers', label: 'ui.nav_dossiers', page: 'dossiers', roles: ['archivist'] },
  { path: '/integrity', label: 'ui.nav_integrity', page: 'integrity', roles: ['archivist'] },
  // Signature reconciliation tasks (p.97-1): the archivist compares with the paper original.
  { path: '/reconciliation', label: 'preservation.ui_reconciliation_nav', page: 'reconciliation', roles: ['archivist'] },
  { path: '/audit', label: 'ui.nav_audit', page: 'audit', roles: ['admin', 'archivist'] },
  { path: '/health', label: 'ui.nav_health', page: 'health', roles: ['admin'] },
  { path: '/transfers/new', label: 'ui.nav_transfer_prepare', page: 'transfer-upload', roles: ['department_clerk'] },
  { path: '/transfers/mine', label: 'ui.nav_transfers_mine', page: 'transfers', roles: ['department_clerk'] },
  // A transfer prepared in the browser from the approved nomenclature (issue 11); uploaders only.
  { path: '/transfers/prepare', label: 'prepare.ui_title', page: 'transfer-prepare', roles: ['department_clerk'] },
  { path: '/transfers/to-sign', label: 'ui.nav_transfers_to_sign', page: 'dossiers', roles: ['department_head'] },
  { path: '/dossiers/department', label: 'ui.nav_department_dossiers', page: 'dossiers', roles: ['department_head'] },
  // Inventories of e-dossiers (App. 30): the archivist builds, the department head approves, the commission reads.
  { path: '/inventories', label: 'ui.nav_inventories', page: 'inventories', roles: ['archivist', 'department_head', ...COMMISSION] },
  // The expert commission appraises every department's dossiers (p.48) and opens each one: the
  // archive's list, after the inventories so the commission's home page stays the same (menuFor
  // keeps one link per path for someone who is both archivist and commission member).
  { path: '/dossiers', label: 'ui.nav_dossiers', page: 'dossiers', roles: COMMISSION },
  // The commission's workspace (issue 12): meetings, agenda, votes, the protocol.
  { path: '/commission', label: 'commission.ui_nav', page: 'commission', roles: COMMISSION },
  // Appraisal (issue 12): the archivist's appraisal list and holds; destruction acts for the archive and the commission.
  { path: '/appraisal', label: 'appraisal.ui_nav', page: 'appraisal', roles: ['archivist'] },
  { path: '/holds', label: 'appraisal.ui_holds_nav', page: 'holds', roles: ['archivist'] },
  { path: '/destruction-acts', label: 'ui.nav_destruction_acts', page: 'destruction-acts', roles: [...COMMISSION, 'archivist'] },
  // Full-text search (issue 13): the researcher's home page; staff open it at /search too (DETAIL_ROUTES).
  { path: '/search', label: 'ui.nav_search', page: 'search', roles: ['researcher'] },
  // The researcher portal (issue 13): register, request, track, download.
  { path: '/copy-requests', label: 'ui.nav_copy_requests', page: 'copy-requests', roles: ['researcher'] },
  // Transfer schedules (App. 31): compiled by the archive, approved by the head, read by the departments;
  // last, so nobody's home page (the first item) changes.
  { path: '/transfer-schedules', label: 'schedules.ui_title', page: 'schedules', roles: ['archivist', 'organisation_head', 'department_clerk', 'department_head', 'records_head', 'admin'] },
  { path: '/acceptance-acts', label: 'acceptance.ui_acts_title', page: 'acceptance-acts', roles: ['archivist', 'organisation_head'] },
  // The organisation head approves destruction acts; after the acceptance acts so the head's home page stays.
  { path: '/destruction-acts', label: 'ui.nav_destruction_acts', page: 'destruction-acts', roles: ['organisation_head'] },
  // The head re-certifies reconciled copies (p.97-1); after their other items so their home page stays.
  { path: '/reconciliation', label: 'preservation.ui_reconciliation_nav', page: 'reconciliation', roles: ['organisation_head'] },
  // The archivist's queue of researchers and copy requests (issue 13).
  { path: '/research-requests', label: 'research.ui_queue_title', page: 'research-queue', roles: ['archivist'] },
  // The nomenclature of cases (App. 26): everyone who forms, approves or keeps cases by it; the page
  // shows editing to the records service and the archive, each approval step to its role.
  { path: '/nomenclature', label: 'nomenclature.ui_title', page: 'nomenclature', roles: ['archivist', 'records_head', 'organisation_head', 'department_clerk', 'department_head', 'commission_chair', 'commission_secretary', 'commission_member'] },
  // Reference data for everyone, last in every menu; the archivist and the admin edit it (the page shows the editing to them only).
  { path: '/retention-list', label: 'ui.nav_retention_list', page: 'retention', roles: ROLES },
];

export function menuFor(roles: readonly string[]): NavItem[] {
  const mine = NAV_ITEMS.filter((item) => item.roles.some((role) => roles.includes(role)));
  return mine.filter((item, at) => mine.findIndex((other) => other.path === item.path) === at);
}

/** The page for a path, or null when the path is unknown or not open to these roles. */
export function routeFor(path: string, roles: readonly string[]): NavItem | null {
  const clean = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return menuFor(roles).find((item) => item.path === clean) ?? detailRoute(clean, roles);
}

/** Pages opened from a page rather than the menu: upload (archivists), one transfer, one dossier. */
export const DETAIL_ROUTES: readonly { pattern: RegExp; label: MessageKey; page: PageKind; roles: readonly Role[] }[] = [
  { pattern: /^\/transfers\/upload$/, label: 'ui.ingest_upload_title', page: 'transfer-upload', roles: ['archivist', 'department_clerk'] },
  { pattern: /^\/transfers\/([0-9a-f-]{36})$/, label: 'ui.ingest_transfer_title', page: 'transfer', roles: ['archivist', 'department_clerk', 'department_head'] },
  // The expert commission reads every department's dossiers (appraisal, p.48).
  { pattern: /^\/dossiers\/([^/]+)$/, label: 'ui.dossier_title', page: 'dossier', roles: ['archivist', 'department_clerk', 'department_head', ...COMMISSION, 'researcher'] },
  // The search page for the staff who read dossiers (its results are narrowed by the server: department, access rules).
  { pattern: /^\/search$/, label: 'ui.nav_search', page: 'search', roles: ['archivist', 'department_clerk', 'department_head', ...COMMISSION] },
  { pattern: /^\/transfer-schedules\/(\d{4})$/, label: 'schedules.ui_title', page: 'schedule', roles: ['archivist', 'organisation_head', 'department_clerk', 'department_head', 'records_head', 'admin'] },
  { pattern: /^\/inventories\/[0-9a-f-]{36}$/, label: 'inventories.ui_title', page: 'inventories', roles: ['archivist', 'department_clerk', 'department_head', 'admin', ...COMMISSION] },
  { pattern: /^\/commission\/meetings\/[0-9a-f-]{36}$/, label: 'commission.ui_title', page: 'commission-meeting', roles: COMMISSION },
  { pattern: /^\/destruction-acts\/[0-9a-f-]{36}$/, label: 'ui.nav_destruction_acts', page: 'destruction-act', roles: [...COMMISSION, 'archivist', 'organisation_head'] },
  // Executing an approved act (destruction/, issue 12): archivists other than its author.
  { pattern: /^\/destruction-acts\/[0-9a-f-]{36}\/execute$/, label: 'destruction.ui_title', page: 'destruction-execute', roles: ['archivist'] },
  // Signing certificates bound to users (signer identity), opened from the users page.
  { pattern: /^\/users\/certificates(?:\/[0-9a-f-]{36})?$/, label: 'signers.title', page: 'signers', roles: ['admin'] },
];

function detailRoute(path: string, roles: readonly string[]): NavItem | null {
  for (const route of DETAIL_ROUTES) {
    if (route.pattern.test(path) && route.roles.some((role) => roles.includes(role)) && !NAV_ITEMS.some((item) => item.path === path)) {
      return { path, label: route.label, page: route.page, roles: route.roles };
    }
  }
  return null;
}

/** The id in a detail path (/transfers/<id>, /dossiers/<id>), decoded. */
export function detailId(path: string): string {
  return decodeURIComponent(path.split('/').pop() ?? '');
}

/** The catalog key naming a role; null for a role this UI does not know (shown as its code). */
export function roleLabel(role: string): MessageKey | null {
  return (ROLES as readonly string[]).includes(role) ? (`ui.role_${role}` as MessageKey) : null;
}
