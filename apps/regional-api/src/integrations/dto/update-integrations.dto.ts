import { Transform, TransformFnParams } from 'class-transformer';
import { IsOptional, ValidateBy, ValidationOptions } from 'class-validator';
import { e164, isUpiVpa } from '../integration-values';

/** A valid phone number in E.164 (libphonenumber-js), written canonically before it is checked. */
function IsE164PhoneNumber(options?: ValidationOptions): PropertyDecorator {
  const check = ValidateBy(
    {
      name: 'isE164PhoneNumber',
      validator: {
        validate: (value) => e164(value) !== null,
        defaultMessage: (args) => `${args?.property ?? 'value'} must be a valid phone number in E.164 format, such as +919876543210`,
      },
    },
    options,
  );
  const canonical = Transform(({ value }: TransformFnParams) => e164(value) ?? value);
  return (target, key) => {
    canonical(target, key);
    check(target, key);
  };
}

function IsUpiVpa(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isUpiVpa',
      validator: {
        validate: (value) => isUpiVpa(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be a UPI VPA: 2 to 256 letters, digits, dots, hyphens or underscores, '@' and a handle of letters (e.g. clinic.name@okaxis)`,
      },
    },
    options,
  );
}

/**
 * `PATCH /v1/organization/integrations`: the settings to change, each only where its flag is on
 * for the organization (403 FEATURE_DISABLED otherwise). A field left out is unchanged; null
 * clears it.
 */
export class UpdateIntegrationsDto {
  /** The WhatsApp sender number (`whatsapp_integration`), E.164, e.g. +919876543210. */
  @IsOptional() @IsE164PhoneNumber() whatsappSenderNumber?: string | null;

  /** The UPI VPA payments are collected to (`upi_payments`), e.g. apollo.clinic@okaxis. */
  @IsOptional() @IsUpiVpa() upiVpa?: string | null;

  /** The fax number (`fax_integration`), E.164, e.g. +14165550123. */
  @IsOptional() @IsE164PhoneNumber() faxNumber?: string | null;
}
