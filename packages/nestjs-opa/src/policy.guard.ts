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
import { leaveAuthorization } from './contexts/authorization.holder.js';
import type { EntryPoint } from './contexts/entry-point.interface.js';
import {
  FieldDecisionBatch,
  type FieldAnswer,
  type FieldQuestion,
} from './contexts/field-decision.batch.js';
import { graphqlArgs, isFieldOfObject } from './contexts/graphql.entry-point.js';
import { entryPointOf } from './contexts/index.js';
import type {
  AuthorizationContext,
  CheckRequest,
  Decision,
  ResourceRef,
  RequestAuthorization,
  Subject,
} from './authz.types.js';
import { DECISION_ID_HEADER, OPA_RESOLVED_OPTIONS } from './opa.constants.js';
import { OPA_DEFAULTS } from './opa.defaults.js';
import {
  AccessDeniedException,
  DecisionUnavailableException,
  ResourceNotFoundException,
  UnsupportedContextException,
} from './opa.exceptions.js';
import { OpaMessages } from './opa.messages.js';
import type { ResolvedOpaOptions } from './opa.options.js';
import { DecisionService } from './decision.service.js';
import { ResourceLoaderRegistry } from './resource-loader.registry.js';
import { resolveRoutePolicy, type RoutePolicy } from './route.policy.js';

/**
 * Asks OPA about every call: HTTP requests, GraphQL fields, WebSocket messages and microservice
 * messages. Allowed: the handler runs. Denied: 403 (404 with `denyAsNotFound`). No decision
 * possible (OPA down, slow, garbage; repository failing): 503. No user: 401. A route with neither
 * `@Authorize()` nor `@Public()`, with contradicting ones, or a context type it does not know:
 * 403. Outside HTTP each outcome becomes the transport's error with a stable code
 * (`UNAUTHENTICATED`, `FORBIDDEN`, `NOT_FOUND`, `BAD_REQUEST`, `SERVICE_UNAVAILABLE`). Each step
 * is a `protected` method you may override.
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  protected readonly logger = new Logger(PolicyGuard.name);
  private repository?: AuthzRepository;
  /** One batch of field-level decisions per GraphQL request (keyed by its context object). */
  private readonly fieldBatches = new WeakMap<object, FieldDecisionBatch>();
  /** Each route's policy and resource type, read from its decorators once (they never change). */
  private readonly routes = new WeakMap<object, WeakMap<object, RouteMetadata>>();

  constructor(
    protected readonly reflector: Reflector,
    protected readonly decisions: DecisionService,
    protected readonly loaders: ResourceLoaderRegistry,
    private readonly moduleRef: ModuleRef,
    @Inject(OPA_RESOLVED_OPTIONS) protected readonly options: ResolvedOpaOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const entry = this.getEntryPoint(context);
    try {
      return await this.activate(context, entry);
    } catch (error) {
      throw error instanceof HttpException ? await entry.toError(error) : error;
    }
  }

  /** The entry point of the call; an unknown context type is a 403 that names it. */
  protected getEntryPoint(context: ExecutionContext): EntryPoint {
    const entry = entryPointOf(context);
    if (entry) return entry;
    const message = OpaMessages.unsupportedContext(context.getType());
    this.logger.error(`${describe(context)}: ${message}`);
    throw new UnsupportedContextException(message);
  }

  private async activate(context: ExecutionContext, entry: EntryPoint): Promise<boolean> {
    const { policy } = this.getRouteMetadata(context);
    if (policy.kind === 'public') return true;
    if (policy.kind === 'ambiguous') {
      const reason = `${describe(context)}: ${OpaMessages.ambiguousPolicy(policy.reason)}`;
      this.denyUnconfigured(context, 'error', reason);
    }
    if (policy.kind === 'none') {
      this.denyUnconfigured(context, 'warn', `${describe(context)}: ${OpaMessages.noPolicy}`);
    }
    const { rule } = policy;

    if (entry.type === 'graphql' && isFieldOfObject(graphqlArgs(context).info)) {
      return this.authorizeField(context, rule);
    }

    const request = this.getRequest(context);
    const subject = await this.getSubject(request, context);
    if (!subject) throw new UnauthorizedException(OpaMessages.notAuthenticated);

    if (rule.list) {
      const resourceType = this.getResourceType(context, rule);
      const authorization = await this.authorize(context, subject);
      const { roles, bindings } = authorization;
      authorization.filter = await this.unlessFailed(() =>
        this.decisions.compileFilter({
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
    const authorization = await this.authorize(context, subject);
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
    if (decision.decisionId && entry.type === 'http') {
      this.setHeader(context, DECISION_ID_HEADER, decision.decisionId);
    }
    if (!decision.permit) this.throwAccessDenied(decision);
    return true;
  }

  /**
   * `@Authorize()` on a field of an object type (`@ResolveField()`): decides `action` on the
   * parent object. The questions of one request asked in the same tick go to OPA as one bulk call
   * (`OpaService.checkMany`), so a list of N parents costs one call, not N.
   */
  protected async authorizeField(context: ExecutionContext, rule: AuthorizeRule): Promise<boolean> {
    if (rule.list) {
      this.denyUnconfigured(context, 'error', `${describe(context)}: ${OpaMessages.listOnField}`);
    }
    const { parent, context: gqlContext } = graphqlArgs(context);
    const key = gqlContext ?? {};
    let batch = this.fieldBatches.get(key);
    if (!batch) {
      batch = this.createFieldBatch(context);
      this.fieldBatches.set(key, batch);
    }
    const answer = await batch.decide({
      action: rule.action,
      resourceType: this.getResourceType(context, rule),
      parent,
      idField: rule.idParam ?? OPA_DEFAULTS.idParam,
    });
    if ('error' in answer) throw answer.error;
    // The bulk call's decision id finds the denial in OPA's decision log.
    if (!answer.permit) throw new AccessDeniedException(answer.decisionId);
    return true;
  }

  /**
   * The batch answering one request's field questions: the subject and its roles once per
   * request, each parent's attributes from its type's loader, then one `checkMany`.
   */
  private createFieldBatch(first: ExecutionContext): FieldDecisionBatch {
    const request = this.getRequest(first);
    let authorization: Promise<RequestAuthorization> | undefined;
    const load = async () => {
      const subject = await this.getSubject(request, first);
      if (!subject) throw new UnauthorizedException(OpaMessages.notAuthenticated);
      return this.loadAuthorization(subject);
    };
    return new FieldDecisionBatch(async (questions: FieldQuestion[]) => {
      authorization ??= load();
      // A failed load is not kept: the next tick of the same request tries again.
      const authz = await authorization.catch((error: unknown) => {
        authorization = undefined;
        throw error;
      });
      const resources = await Promise.all(
        questions.map((question) =>
          this.getParentResource(question, request).then(
            (resource) => ({ resource }),
            (error: unknown) => ({ error }),
          ),
        ),
      );
      const asked = questions.flatMap((question, index) => {
        const loaded = resources[index]!;
        return 'resource' in loaded ? [{ action: question.action, resource: loaded.resource }] : [];
      });
      const verdicts = asked.length
        ? await this.unlessFailed(() =>
            this.decisions.checkMany({
              subject: authz.subject,
              roles: authz.roles,
              bindings: authz.bindings,
              items: asked,
            }),
          )
        : [];
      let next = 0;
      return resources.map((loaded): FieldAnswer => {
        if ('error' in loaded) return { error: loaded.error };
        const verdict = verdicts[next++];
        return { permit: verdict?.permit === true, decisionId: verdict?.decisionId };
      });
    });
  }

  /** The parent object of a guarded field as a resource: its `id` (or `idParam`) and attributes. */
  protected async getParentResource(
    question: FieldQuestion,
    request: Record<string, any>,
  ): Promise<ResourceRef> {
    const { resourceType: type, parent, idField } = question;
    const id = (parent as Record<string, unknown> | null | undefined)?.[idField];
    return this.loadResource(type, id, request);
  }

  /** Loads the subject's roles, bindings and attributes and leaves them for the handler. */
  private async authorize(
    context: ExecutionContext,
    subject: Subject,
  ): Promise<RequestAuthorization> {
    const authorization = await this.loadAuthorization(subject);
    leaveAuthorization(context, authorization);
    return authorization;
  }

  private async loadAuthorization(subject: Subject): Promise<RequestAuthorization> {
    const authz = await this.loadContext(subject);
    return {
      subject: {
        type: subject.type,
        id: subject.id,
        attributes: { ...subject.attributes, ...authz.attributes },
      },
      roles: authz.roles,
      bindings: authz.bindings,
    };
  }

  /**
   * What stands for the request: the HTTP request, the GraphQL context's `req`, the WebSocket
   * client (or its `data`), the RPC payload. The subject resolver and loaders receive it.
   */
  protected getRequest(context: ExecutionContext): Record<string, any> {
    return this.getEntryPoint(context).subjectSource(context);
  }

  /** The authenticated subject, or `undefined` for a 401. */
  protected async getSubject(
    request: Record<string, any>,
    context: ExecutionContext,
  ): Promise<Subject | undefined> {
    return this.options.subjectResolver(request, context);
  }

  /** The resource the rule is about, with its attributes from the type's loader. */
  protected async getResource(
    context: ExecutionContext,
    request: Record<string, any>,
    rule: AuthorizeRule,
  ): Promise<ResourceRef> {
    const type = this.getResourceType(context, rule);
    if (rule.collection) return { type, id: null };

    // Over HTTP `id` reads the request; elsewhere the GraphQL arguments or the message payload.
    const source =
      context.getType() === 'http' ? request : this.getEntryPoint(context).idSource(context);
    const id = rule.id
      ? rule.id(source)
      : this.getEntryPoint(context).idSource(context)?.[rule.idParam ?? OPA_DEFAULTS.idParam];
    return this.loadResource(type, id, request);
  }

  /**
   * One resource by id, with its attributes from the type's loader: 400 for an id not worth a
   * lookup, 404 when the loader knows no such resource.
   */
  private async loadResource(
    type: string,
    id: unknown,
    request: Record<string, any>,
  ): Promise<ResourceRef> {
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
    const type = rule.resource ?? this.getRouteMetadata(context).resourceType;
    if (!type)
      this.denyUnconfigured(context, 'error', OpaMessages.missingResourceType(describe(context)));
    return type;
  }

  /** The route's decorators, read on its first call and kept: reflection per call costs CPU. */
  private getRouteMetadata(context: ExecutionContext): RouteMetadata {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byController = this.routes.get(handler);
    if (!byController) this.routes.set(handler, (byController = new WeakMap()));
    let metadata = byController.get(controller);
    if (!metadata) {
      metadata = {
        policy: resolveRoutePolicy(this.reflector, handler, controller),
        resourceType: this.reflector.getAllAndOverride(ResourceType, [handler, controller]),
      };
      byController.set(controller, metadata);
    }
    return metadata;
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
  protected async decide(request: CheckRequest): Promise<Decision> {
    return this.unlessFailed(() => this.decisions.check(request));
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

interface RouteMetadata {
  policy: RoutePolicy;
  resourceType?: string;
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
