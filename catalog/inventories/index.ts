// Inventories of e-dossiers (App. 30) and archival ciphers (p.181) of the records catalog.
export {
  INVENTORY_CATEGORIES,
  createInventoriesService,
  statementSha256,
  type ApprovalStatement,
  type BuildInput,
  type InventoriesService,
  type InventoryDeps,
  type InventoryRowView,
  type InventorySummary,
  type InventoryView,
  type ListFilter,
  type SignatureChecker,
  type UpdateInput,
} from './inventories.service';
export { cipherOf, cipherText, type ArchivalCipher } from './cipher';
export { isAccepted } from './accepted';
export type { CommissionProtocol, InventoryCategory, InventoryPerson, InventoryRenditions, InventoryStatus, InventoryTables } from './tables';
