import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) =>
      m.includes('should not exist') ? `property ${path} is not allowed` : m.replace(e.property, path),
    );
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/** The global pipe: unknown fields refused, everything converted to its DTO type. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new BadRequestException({ code: 'VALIDATION_FAILED', message: flatten(errors).join('; ') || 'Invalid input' }),
  });
}
