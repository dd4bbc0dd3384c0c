import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/**
 * Validates bodies against their DTOs. Unknown fields are refused rather than silently dropped,
 * so a client sending `createdBy` learns it cannot choose it. Errors are listed per field:
 * `{ statusCode: 400, message: 'Validation failed', errors: { title: ['title must be a string'] } }`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Values are not echoed back: a 400 should not reflect what the client sent.
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'Validation failed',
        errors: fieldErrors(errors),
      }),
  });
}

function fieldErrors(errors: ValidationError[], prefix = ''): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const error of errors) {
    const field = `${prefix}${error.property}`;
    if (error.constraints) result[field] = Object.values(error.constraints);
    Object.assign(result, fieldErrors(error.children ?? [], `${field}.`));
  }
  return result;
}
