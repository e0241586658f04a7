// Accounts: users, roles, sessions, login throttling, password policy and signer identity.
export { ROLES, COMMISSION_ROLES, isRole, type Role } from './roles';
export {
  DEFAULT_THROTTLE,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  USERNAME_PATTERN,
  createUsersService,
  normaliseUsername,
  toUserView,
  type AddUserInput,
  type ThrottlePolicy,
  type UserView,
  type UsersService,
} from './users.service';
export * from './signers.service';
export { verifyRegisteredSignature, checkRegisteredSignature, type SignatureVerifier, type SignerRef, type SignatureRefusals } from './registered-signature';
