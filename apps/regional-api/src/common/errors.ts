/** Error codes of the regional API, one place to read them all. */
export const ErrorCode = {
  NotAMember: 'NOT_A_MEMBER',
  OrgNotActive: 'ORGANIZATION_NOT_ACTIVE',
  RoleRequired: 'ROLE_REQUIRED',
  PatientNotFound: 'PATIENT_NOT_FOUND',
  PatientExists: 'PATIENT_EXISTS',
  ClinicNotFound: 'CLINIC_NOT_FOUND',
  ClinicCodeTaken: 'CLINIC_CODE_TAKEN',
  ClinicIsPrimary: 'CLINIC_IS_PRIMARY',
  MembershipNotFound: 'MEMBERSHIP_NOT_FOUND',
  OrganizationNotFound: 'ORGANIZATION_NOT_FOUND',
  PlanLimitReached: 'PLAN_LIMIT_REACHED',
  UnsupportedLanguage: 'UNSUPPORTED_LANGUAGE',
  ProvisioningConflict: 'PROVISIONING_CONFLICT',
} as const;
