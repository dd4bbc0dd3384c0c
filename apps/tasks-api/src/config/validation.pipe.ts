import {
  BadRequestException,
  ValidationPipe,
  type ArgumentMetadata,
  type ValidationError,
} from '@nestjs/common';

/**
 * Validates bodies against their DTOs. Unknown fields are refused rather than silently dropped,
 * so a client sending `createdBy` learns it cannot choose it. Errors are listed per field:
 * `{ statusCode: 400, message: 'Validation failed', errors: { title: ['title must be a string'] } }`.
 */
export function createValidationPipe(): ValidationPipe {
  return new BodyShapeValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Values are not echoed back: a 400 should not reflect what the client sent.
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(fieldErrors(errors)),
  });
}

/** Deepest nesting accepted in a body or query; the DTOs themselves are flat. */
export const MAX_INPUT_DEPTH = 16;

/** Keys class-transformer drops without a word: refused like any other unknown field. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const validationFailed = (errors: Record<string, string[]>) =>
  new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: 'Validation failed',
    errors,
  });

/**
 * Checks the shape of bodies and queries before class-transformer sees them: it recurses without
 * bound (a 2000-level JSON body overflowed the stack: a 500) and silently drops `__proto__` and
 * `constructor` keys (a 201 for a body with an unknown field). Strings with a NUL are refused too.
 */
class BodyShapeValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const problem = shapeProblem(value);
      if (problem) throw validationFailed({ [problem.field]: [problem.message] });
    }
    return super.transform(value, metadata);
  }
}

/** The first field nested too deep, named like a prototype key or holding a NUL; iterative. */
function shapeProblem(value: unknown): { field: string; message: string } | undefined {
  const pending: Array<{ value: unknown; depth: number; field: string }> = [
    { value, depth: 0, field: '' },
  ];
  while (pending.length > 0) {
    const { value: current, depth, field } = pending.pop()!;
    const top = field || 'body';
    // PostgreSQL cannot store a NUL in text (the insert fails: a 500); no field needs one.
    if (typeof current === 'string' && current.includes('\u0000')) {
      return { field: top, message: `${top} must not contain NUL characters` };
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= MAX_INPUT_DEPTH) {
      return { field: top, message: `${top} is nested more than ${MAX_INPUT_DEPTH} levels deep` };
    }
    for (const key of Object.keys(current)) {
      if (FORBIDDEN_KEYS.has(key)) {
        return { field: field || key, message: `property ${key} should not exist` };
      }
      pending.push({
        value: (current as Record<string, unknown>)[key],
        depth: depth + 1,
        field: field || key,
      });
    }
  }
  return undefined;
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
