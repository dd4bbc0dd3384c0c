import { ForbiddenException, ServiceUnavailableException } from '@nestjs/common';
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
