import { randomUUID } from 'node:crypto';
import {
  BadRequestException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { ResourceType, type AuthorizeRule } from './authorize.decorator.js';
import { AuthzRepository } from './authz.repository.js';
import type {
  AuthorizationContext,
  Decision,
  ResourceRef,
  RoleBinding,
  RoleCatalogue,
  Subject,
} from './authz.types.js';
import type { ResourceFilter } from './filters/filter.types.js';
import { DECISION_ID_HEADER, DEFAULT_ID_PARAM, OPA_MODULE_OPTIONS } from './opa.constants.js';
import {
  AccessDeniedException,
  DecisionUnavailableException,
  ResourceNotFoundException,
} from './opa.exceptions.js';
import { OpaMessages } from './opa.messages.js';
import type { OpaModuleOptions } from './opa-module-options.interface.js';
import { resolveOpaOptions, type ResolvedOpaOptions } from './opa-options.js';
import { OpaService } from './opa.service.js';
import { ResourceLoaderRegistry } from './resource-loader.registry.js';
import { resolveRoutePolicy } from './route-policy.js';
import { defaultSubjectResolver } from './subject-resolver.js';

/** What the guard leaves on the request for the handler (`request.authorization`). */
export interface RequestAuthorization {
  /** The subject, with the attributes the repository returned. */
  subject: Subject;
  roles: RoleCatalogue;
  bindings: RoleBinding[];
  /** The resource decided on (point routes). */
  resource?: ResourceRef;
  /** OPA's decision (point routes; absent when a fail-open route went through without one). */
  decision?: Decision;
  /** The rows the subject may act on (`@AuthorizeList()` routes). */
  filter?: ResourceFilter;
}

/**
 * Asks OPA about every request. Allowed: the handler runs. Denied: 403 (404 with
 * `denyAsNotFound`). No decision possible (OPA down, slow, garbage; repository failing): 503.
 * No user: 401. A route with neither `@Authorize()` nor `@Public()`, or with contradicting ones:
 * 403. Each step is a `protected` method you may override.
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  protected readonly logger = new Logger(PolicyGuard.name);
  protected readonly options: ResolvedOpaOptions;
  private repository?: AuthzRepository;

  constructor(
    protected readonly reflector: Reflector,
    protected readonly opa: OpaService,
    protected readonly loaders: ResourceLoaderRegistry,
    private readonly moduleRef: ModuleRef,
    @Inject(OPA_MODULE_OPTIONS) options: OpaModuleOptions,
  ) {
    this.options = resolveOpaOptions(options);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = resolveRoutePolicy(this.reflector, context.getHandler(), context.getClass());
    if (policy.kind === 'public') return true;
    if (policy.kind === 'ambiguous') {
      const reason = `${describe(context)}: ${OpaMessages.ambiguousPolicy(policy.reason)}`;
      this.denyUnconfigured(context, 'error', reason);
    }
    if (policy.kind === 'none' || context.getType() !== 'http') {
      this.denyUnconfigured(context, 'warn', `${describe(context)}: ${OpaMessages.noPolicy}`);
    }
    const { rule } = policy;

    const request = this.getRequest(context);
    const subject = await this.getSubject(request);
    if (!subject) throw new UnauthorizedException(OpaMessages.notAuthenticated);

    if (rule.list) {
      const resourceType = this.getResourceType(context, rule);
      const authorization = await this.authorize(request, subject);
      const { roles, bindings } = authorization;
      authorization.filter = await this.unlessFailed(() =>
        this.opa.compileFilter({
          subject: authorization.subject,
          roles,
          bindings,
          action: rule.action,
          resourceType,
        }),
      );
      return true;
    }

    // The resource first: an unknown or odd id answers 404/400 without a repository read.
    const resource = await this.getResource(context, request, rule);
    const authorization = await this.authorize(request, subject);
    authorization.resource = resource;
    const { roles, bindings } = authorization;
    const decision = await this.decide({
      subject: authorization.subject,
      action: rule.action,
      resource,
      roles,
      bindings,
    }).catch((error: unknown) => {
      if (!rule.failOpen || !(error instanceof DecisionUnavailableException)) throw error;
      this.logger.error(OpaMessages.failOpen(describe(context)));
      return undefined;
    });
    if (!decision) return true;
    authorization.decision = decision;
    // Before the decision-id header: an unknown id never has one, so it would tell them apart.
    if (!decision.permit && this.hidesDenials(rule)) {
      throw new ResourceNotFoundException(resource.type);
    }
    if (decision.decisionId) this.setHeader(context, DECISION_ID_HEADER, decision.decisionId);
    if (!decision.permit) this.throwAccessDenied(decision);
    return true;
  }

  /** Loads the subject's roles, bindings and attributes and leaves them on the request. */
  private async authorize(
    request: Record<string, any>,
    subject: Subject,
  ): Promise<RequestAuthorization> {
    const authz = await this.loadContext(subject);
    const authorization: RequestAuthorization = {
      subject: {
        type: subject.type,
        id: subject.id,
        attributes: { ...subject.attributes, ...authz.attributes },
      },
      roles: authz.roles,
      bindings: authz.bindings,
    };
    (request as { authorization?: RequestAuthorization }).authorization = authorization;
    return authorization;
  }

  protected getRequest(context: ExecutionContext): Record<string, any> {
    return context.switchToHttp().getRequest();
  }

  /** The authenticated subject, or `undefined` for a 401. */
  protected async getSubject(request: Record<string, any>): Promise<Subject | undefined> {
    const resolver = this.options.subjectResolver ?? defaultSubjectResolver;
    return resolver(request);
  }

  /** The resource the rule is about, with its attributes from the type's loader. */
  protected async getResource(
    context: ExecutionContext,
    request: Record<string, any>,
    rule: AuthorizeRule,
  ): Promise<ResourceRef> {
    const type = this.getResourceType(context, rule);
    if (rule.collection) return { type, id: null };

    const id = rule.id ? rule.id(request) : request.params?.[rule.idParam ?? DEFAULT_ID_PARAM];
    if (!this.isAcceptableId(id)) throw new BadRequestException(OpaMessages.invalidResourceId);
    const loader = this.loaders.get(type);
    if (!loader) return { type, id };
    const attributes = await this.unlessFailed(() => loader.load(id, request));
    if (!attributes) throw new ResourceNotFoundException(type);
    return { type, id, attributes };
  }

  /** Whether a denial answers like an unknown id (404): the route's choice, else the module's. */
  protected hidesDenials(rule: AuthorizeRule): boolean {
    return !rule.collection && (rule.denyAsNotFound ?? this.options.denyAsNotFound);
  }

  /** The rule's resource type, else the handler's `@ResourceType()`, else the controller's. */
  protected getResourceType(context: ExecutionContext, rule: AuthorizeRule): string {
    const type =
      rule.resource ??
      this.reflector.getAllAndOverride(ResourceType, [context.getHandler(), context.getClass()]);
    if (!type)
      this.denyUnconfigured(context, 'error', OpaMessages.missingResourceType(describe(context)));
    return type;
  }

  /**
   * Ids worth a database lookup: non-empty strings within the length limit and without control
   * characters (a NUL makes PostgreSQL fail the query, which would read as an outage).
   */
  protected isAcceptableId(id: unknown): id is string {
    return (
      typeof id === 'string' &&
      id.length > 0 &&
      id.length <= this.options.maxResourceIdLength &&
      // eslint-disable-next-line no-control-regex
      !/[\u0000-\u001f\u007f]/.test(id)
    );
  }

  /** Roles, bindings and attributes of the subject, from the application's repository. */
  protected async loadContext(subject: Subject): Promise<AuthorizationContext> {
    return this.unlessFailed(() => this.getRepository().loadContext(subject));
  }

  private getRepository(): AuthzRepository {
    try {
      this.repository ??= this.moduleRef.get<AuthzRepository>(AuthzRepository, { strict: false });
    } catch (error) {
      throw new Error(OpaMessages.missingRepository, { cause: error });
    }
    return this.repository;
  }

  /** Asks OPA; any failure to get an answer is a 503, never an allow. */
  protected async decide(request: Parameters<OpaService['check']>[0]): Promise<Decision> {
    return this.unlessFailed(() => this.opa.check(request));
  }

  protected throwAccessDenied(decision: Decision): never {
    throw new AccessDeniedException(decision.decisionId);
  }

  /**
   * A 403 the route's configuration decides, not OPA: its decision id is minted here and logged
   * with the reason, so the 403 can still be found in a log.
   */
  private denyUnconfigured(
    context: ExecutionContext,
    level: 'warn' | 'error',
    reason: string,
  ): never {
    const decisionId = randomUUID();
    this.logger[level](`${reason} (decisionId ${decisionId})`);
    if (context.getType() === 'http') this.setHeader(context, DECISION_ID_HEADER, decisionId);
    throw new AccessDeniedException(decisionId);
  }

  /** Runs a step; an HTTP exception passes through, anything else means no decision: 503. */
  protected async unlessFailed<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof HttpException) throw error;
      this.logger.error(`${OpaMessages.decisionUnavailable}: ${describeError(error)}`);
      throw new DecisionUnavailableException();
    }
  }

  private setHeader(context: ExecutionContext, name: string, value: string): void {
    const response = context
      .switchToHttp()
      .getResponse<{ header?: (n: string, v: string) => void }>();
    response.header?.(name, value);
  }
}

function describe(context: ExecutionContext): string {
  return `${context.getClass().name}.${context.getHandler().name}`;
}

/** Names the failure and its cause chain, without stack traces or request data. */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    parts.push(current instanceof Error ? `${current.name}: ${current.message}` : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' <- ');
}
