import { HttpStatus } from '@nestjs/common';
import { DomainError, errorCatalogue } from '@medgenie/http';

/** Error codes of the control plane, one place to read them all. */
export const ErrorCode = {
  Unauthenticated: 'UNAUTHENTICATED',
  /** The token's session ended (logout, password change, deactivation, new role): sign in again. */
  SessionEnded: 'SESSION_ENDED',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  AccountLocked: 'ACCOUNT_LOCKED',
  /** Too many logins, refreshes or signups from one address, or logins for one account: try again after Retry-After. */
  RateLimited: 'RATE_LIMITED',
  PasswordChangeRequired: 'PASSWORD_CHANGE_REQUIRED',
  InvalidRefreshToken: 'INVALID_REFRESH_TOKEN',
  RefreshTokenReused: 'REFRESH_TOKEN_REUSED',
  WeakPassword: 'WEAK_PASSWORD',
  SlugTaken: 'SLUG_TAKEN',
  SlugReserved: 'SLUG_RESERVED',
  EmailTaken: 'EMAIL_TAKEN',
  DomainTaken: 'DOMAIN_TAKEN',
  /** A platform host name (a region's domain, anything under one, localhost): never a custom domain. */
  DomainReserved: 'DOMAIN_RESERVED',
  /** A custom domain the organization does not have. */
  DomainNotFound: 'DOMAIN_NOT_FOUND',
  /** The ownership TXT record was not found (names the record to publish). */
  DomainNotVerified: 'DOMAIN_NOT_VERIFIED',
  /** A slug that imitates an existing one (digit-for-letter, or a punycode label). */
  SlugLookalike: 'SLUG_LOOKALIKE',
  UnknownRegion: 'UNKNOWN_REGION',
  OrganizationNotFound: 'ORGANIZATION_NOT_FOUND',
  OrganizationNotActive: 'ORGANIZATION_NOT_ACTIVE',
  OrganizationNotChangeable: 'ORGANIZATION_NOT_CHANGEABLE',
  PlanLimitReached: 'PLAN_LIMIT_REACHED',
  RegionUnavailable: 'REGION_UNAVAILABLE',
  /** The region refused the call itself (its 4xx): answered 502, or 409 when the region said 409 (RegionRejectedError). */
  RegionRejected: 'REGION_REJECTED',
  RoleRequired: 'ROLE_REQUIRED',
  /** A request that passes the DTO's rules but not one that needs several fields together. */
  ValidationFailed: 'VALIDATION_FAILED',
  FlagNotFound: 'FLAG_NOT_FOUND',
  /** A plan change below what the organization holds (names what exceeds); a platform admin may force it. */
  PlanBelowUsage: 'PLAN_BELOW_USAGE',
  /** No Stripe key (or webhook secret) on this platform: platform admins set plans. */
  BillingNotConfigured: 'BILLING_NOT_CONFIGURED',
  /** A webhook whose Stripe-Signature does not match its raw body (or has none). */
  WebhookSignatureInvalid: 'WEBHOOK_SIGNATURE_INVALID',
  /** A plan that has no price to buy (trial, enterprise: by contract), or the one already held. */
  PlanNotPurchasable: 'PLAN_NOT_PURCHASABLE',
  /** Stripe did not answer, or refused the call: billing is unavailable for now. */
  BillingProviderUnavailable: 'BILLING_PROVIDER_UNAVAILABLE',
  /** No member with this id in the caller's organization (another org's user is not found either). */
  MemberNotFound: 'MEMBER_NOT_FOUND',
  /** The change would leave the organization without an active org admin. */
  LastOrgAdmin: 'LAST_ORG_ADMIN',
  /** A wrong, replayed or spent second factor (TOTP code, recovery code or password). */
  MfaCodeInvalid: 'MFA_CODE_INVALID',
  /** The MFA challenge (or enrolment) token is unknown, expired, used, or out of attempts: sign in again. */
  MfaChallengeInvalid: 'MFA_CHALLENGE_INVALID',
  MfaAlreadyEnabled: 'MFA_ALREADY_ENABLED',
  MfaNotEnabled: 'MFA_NOT_ENABLED',
  /** Activation without a pending secret (call setup first). */
  MfaNotPending: 'MFA_NOT_PENDING',
  /** MFA cannot be turned off: it is required for this user (platform admin, or the org requires it). */
  MfaRequired: 'MFA_REQUIRED',
  /** A password reset token that is unknown, expired, already used or superseded by a newer one. */
  ResetTokenInvalid: 'RESET_TOKEN_INVALID',
  /** The console's build is missing (dist/apps/console): `npm run build` makes it. */
  ConsoleNotBuilt: 'CONSOLE_NOT_BUILT',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The catalogue: each code and the HTTP status it is answered with, in one place. The type makes it
 * exhaustive: a code added above without a status here does not compile. Throw sites name a code
 * and a message (`fail`), never a status.
 */
export const ERROR_STATUS: Readonly<Record<ErrorCode, HttpStatus>> = {
  [ErrorCode.Unauthenticated]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.SessionEnded]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.InvalidCredentials]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.AccountLocked]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.RateLimited]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.PasswordChangeRequired]: HttpStatus.FORBIDDEN,
  [ErrorCode.InvalidRefreshToken]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.RefreshTokenReused]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.WeakPassword]: HttpStatus.BAD_REQUEST,
  [ErrorCode.SlugTaken]: HttpStatus.CONFLICT,
  [ErrorCode.SlugReserved]: HttpStatus.BAD_REQUEST,
  [ErrorCode.EmailTaken]: HttpStatus.CONFLICT,
  [ErrorCode.DomainTaken]: HttpStatus.CONFLICT,
  [ErrorCode.DomainReserved]: HttpStatus.BAD_REQUEST,
  [ErrorCode.DomainNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.DomainNotVerified]: HttpStatus.CONFLICT,
  [ErrorCode.SlugLookalike]: HttpStatus.CONFLICT,
  [ErrorCode.UnknownRegion]: HttpStatus.BAD_REQUEST,
  [ErrorCode.OrganizationNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.OrganizationNotActive]: HttpStatus.FORBIDDEN,
  [ErrorCode.OrganizationNotChangeable]: HttpStatus.CONFLICT,
  [ErrorCode.PlanLimitReached]: HttpStatus.PAYMENT_REQUIRED,
  [ErrorCode.RegionUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.RegionRejected]: HttpStatus.BAD_GATEWAY,
  [ErrorCode.RoleRequired]: HttpStatus.FORBIDDEN,
  [ErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
  [ErrorCode.FlagNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.PlanBelowUsage]: HttpStatus.CONFLICT,
  [ErrorCode.BillingNotConfigured]: HttpStatus.CONFLICT,
  [ErrorCode.WebhookSignatureInvalid]: HttpStatus.BAD_REQUEST,
  [ErrorCode.PlanNotPurchasable]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.BillingProviderUnavailable]: HttpStatus.BAD_GATEWAY,
  [ErrorCode.MemberNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.LastOrgAdmin]: HttpStatus.CONFLICT,
  [ErrorCode.MfaCodeInvalid]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.MfaChallengeInvalid]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.MfaAlreadyEnabled]: HttpStatus.CONFLICT,
  [ErrorCode.MfaNotEnabled]: HttpStatus.CONFLICT,
  [ErrorCode.MfaNotPending]: HttpStatus.CONFLICT,
  [ErrorCode.MfaRequired]: HttpStatus.CONFLICT,
  [ErrorCode.ResetTokenInvalid]: HttpStatus.BAD_REQUEST,
  [ErrorCode.ConsoleNotBuilt]: HttpStatus.SERVICE_UNAVAILABLE,
};

/** The error for `code`, answered with its catalogued status (and Retry-After, for 429/503, when given). */
export const fail = errorCatalogue(ERROR_STATUS);

/**
 * REGION_REJECTED, the one code whose status is not fixed: a region's own 409 is passed on as 409
 * (the same conflict, seen from here), its 400, 404 and 422 as 400 (the caller's input); any other
 * refusal is the catalogued 502.
 */
export function failRegionRejected(message: string, regionStatus: number): DomainError {
  if (regionStatus === HttpStatus.CONFLICT) return new DomainError(ErrorCode.RegionRejected, message, HttpStatus.CONFLICT);
  // What the region found wrong with the caller's input (a clinic that is not the org's, a bad value) is the caller's 400, not a bad gateway.
  if (CALLERS_INPUT.has(regionStatus)) return new DomainError(ErrorCode.RegionRejected, message, HttpStatus.BAD_REQUEST);
  return fail(ErrorCode.RegionRejected, message);
}

/** The region's answers that mean "this input is wrong" (its 401/403 mean our credential is: a 502). */
const CALLERS_INPUT = new Set<number>([HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.UNPROCESSABLE_ENTITY]);
