// Component schemas shared by several route modules' OpenAPI fragments.
import { ROLES } from '../../accounts/roles';

export const USER_VIEW_SCHEMA = {
  type: 'object',
  required: ['id', 'username', 'fullName', 'position', 'roles', 'departmentId', 'language', 'status', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    username: { type: 'string' },
    fullName: { type: 'string' },
    position: { type: ['string', 'null'] },
    roles: { type: 'array', items: { enum: [...ROLES] } },
    departmentId: { type: ['string', 'null'] },
    language: { enum: ['kk', 'ru', 'en'] },
    status: { enum: ['active', 'suspended'] },
    createdAt: { type: 'string', format: 'date-time' },
    suspendedAt: { type: 'string', format: 'date-time' },
    suspendedReason: { type: 'string' },
  },
} as const;
