import { ForbiddenException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { OpaMessages } from './opa.messages.js';

/** 403: the request is denied. The body carries the decision id that finds the decision in a log. */
export class AccessDeniedException extends ForbiddenException {
  constructor(readonly decisionId?: string) {
    super({
      statusCode: 403,
      error: 'Forbidden',
      message: OpaMessages.accessDenied,
      ...(decisionId ? { decisionId } : {}),
    });
  }
}

/**
 * 404: no such resource, or (with `denyAsNotFound`) a denial answered like one. The body names
 * neither the id nor a decision, so both cases read the same.
 */
export class ResourceNotFoundException extends NotFoundException {
  constructor(resourceType: string) {
    super({
      statusCode: 404,
      error: 'Not Found',
      message: OpaMessages.resourceNotFound(resourceType),
    });
  }
}

/** 503: no decision could be made (OPA down, slow or answering garbage). Fail closed. */
export class DecisionUnavailableException extends ServiceUnavailableException {
  constructor() {
    super({
      statusCode: 503,
      error: 'Service Unavailable',
      message: OpaMessages.decisionUnavailable,
    });
  }
}

/** 403: a call of a context type the guard cannot decide (neither http, graphql, ws nor rpc). */
export class UnsupportedContextException extends ForbiddenException {
  constructor(message: string) {
    super({ statusCode: 403, error: 'Forbidden', message });
  }
}
