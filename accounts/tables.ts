// Table types owned by accounts: users and their login attempts.
import type { Generated } from 'kysely';
import type { Timestamp } from '../database/types';

export interface UsersTable {
  id: Generated<string>;
  username: string;
  password_hash: string;
  full_name: string;
  position: string | null;
  roles: string[];
  department_id: string | null;
  language: Generated<'kk' | 'ru' | 'en'>;
  status: Generated<'active' | 'suspended'>;
  suspended_at: Date | null;
  suspended_reason: string | null;
  created_at: Generated<Date>;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  at: Timestamp;
  username: string;
  ip: string;
  outcome: 'success' | 'failure' | 'throttled';
}

export interface AccountTables {
  users: UsersTable;
  login_attempts: LoginAttemptsTable;
}
