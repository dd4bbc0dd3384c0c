import {
  Inject,
  Injectable,
  Logger,
  RequestMethod,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { OPA_RESOLVED_OPTIONS } from './opa.constants.js';
import { OpaMessages } from './opa.messages.js';
import type { ResolvedOpaOptions } from './opa.options.js';
import { PolicyGuard } from './policy.guard.js';
import { resolveRoutePolicy, type RoutePolicy } from './route.policy.js';

/**
 * A route or handler that has neither `@Authorize()` nor `@Public()`: the guard denies it.
 * `method` is the HTTP method, or `QUERY`/`MUTATION`/`SUBSCRIPTION`/`FIELD` for a GraphQL
 * resolver, `WS` for a gateway message handler, `MESSAGE`/`EVENT` for a microservice pattern;
 * `path` is the route, the GraphQL field (`Query.task`, `Task.auditLog`), the gateway message or
 * the pattern.
 */
export interface UnprotectedRoute {
  method: string;
  path: string;
  handler: string;
}

/** A route whose decorators contradict each other (see `reason`): the guard answers 403 on it. */
export interface AmbiguousRoute extends UnprotectedRoute {
  reason: string;
}

/**
 * Lists, at startup, the routes a developer forgot to decorate or decorated in contradiction
 * (`@Public()` with `@Authorize()`). The guard already denies them; the report makes the mistake
 * visible before a user meets the 403.
 */
@Injectable()
export class RouteAuditor implements OnApplicationBootstrap {
  private readonly logger = new Logger('OpaModule');
  private report?: (UnprotectedRoute & { policy: RoutePolicy })[];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(OPA_RESOLVED_OPTIONS) private readonly options: ResolvedOpaOptions,
  ) {}

  /**
   * Warns about microservices of a hybrid application that do not get the global guard: one
   * connected without `inheritAppConfig: true` runs its handlers with no check at all. Call it
   * after `connectMicroservice()`; returns the transports it warned about.
   *
   * @example
   * ```ts
   * app.connectMicroservice({ transport: Transport.TCP }, { inheritAppConfig: true });
   * app.get(RouteAuditor).auditMicroservices(app);
   * ```
   */
  auditMicroservices(app: { getMicroservices(): unknown[] }): string[] {
    const unguarded = app.getMicroservices().flatMap((microservice, index) => {
      const config = (microservice as ConnectedMicroservice).applicationConfig;
      const guards = config?.getGlobalGuards?.() ?? [];
      if (guards.some((guard) => guard instanceof PolicyGuard)) return [];
      const server = (microservice as ConnectedMicroservice).serverInstance;
      return [`#${index + 1} (${server?.constructor?.name ?? 'unknown transport'})`];
    });
    if (unguarded.length > 0) this.logger.warn(OpaMessages.microserviceUnguarded(unguarded));
    return unguarded;
  }

  onApplicationBootstrap(): void {
    const line = (r: UnprotectedRoute) => `${r.method} ${r.path} (${r.handler})`;
    if (!this.options.hasServer) {
      // A list route would answer 503 on every call: refuse to start instead.
      const lists = this.listRoutes();
      if (lists.length > 0) throw new Error(OpaMessages.listRoutesWithoutServer(lists.map(line)));
    }
    const ambiguous = this.ambiguousRoutes();
    if (ambiguous.length > 0) {
      this.logger.error(
        OpaMessages.ambiguousRoutes(ambiguous.map((r) => `${line(r)}: ${r.reason}`)),
      );
    }
    const routes = this.unprotectedRoutes();
    if (routes.length > 0) this.logger.warn(OpaMessages.unprotectedRoutes(routes.map(line)));
  }

  /** Routes of every controller that have neither `@Authorize()` nor `@Public()`. */
  unprotectedRoutes(): UnprotectedRoute[] {
    return this.routes()
      .filter((r) => r.policy.kind === 'none')
      .map(({ method, path, handler }) => ({ method, path, handler }));
  }

  /** Routes whose decorators contradict: `@Public()` with `@Authorize()` on one target, or worse. */
  ambiguousRoutes(): AmbiguousRoute[] {
    return this.routes().flatMap(({ method, path, handler, policy }) =>
      policy.kind === 'ambiguous' ? [{ method, path, handler, reason: policy.reason }] : [],
    );
  }

  /** `@AuthorizeList()` routes: they need an OPA server to compile their filter. */
  listRoutes(): UnprotectedRoute[] {
    return this.routes().flatMap(({ method, path, handler, policy }) =>
      policy.kind === 'rule' && policy.rule.list ? [{ method, path, handler }] : [],
    );
  }

  private routes(): (UnprotectedRoute & { policy: RoutePolicy })[] {
    const classes = [
      ...this.discovery.getControllers(),
      // Resolvers and gateways are providers.
      ...this.discovery.getProviders(),
    ].flatMap(({ metatype }) => (metatype?.prototype ? [metatype as Class] : []));
    this.report ??= [...new Set(classes)].flatMap((owner) =>
      this.scanner.getAllMethodNames(owner.prototype).flatMap((name) => {
        const handler = (owner.prototype as Record<string, unknown>)[name] as () => unknown;
        const entry = this.describeHandler(owner, handler);
        if (!entry) return [];
        const policy = resolveRoutePolicy(this.reflector, handler, owner);
        if (policy.kind === 'public') return [];
        return [{ ...entry, handler: `${owner.name}.${name}`, policy }];
      }),
    );
    return this.report;
  }

  /** The method and path of an entry point handler, `undefined` for any other method. */
  private describeHandler(
    owner: Class,
    handler: () => unknown,
  ): { method: string; path: string } | undefined {
    const get = <T>(key: string, target: object = handler) =>
      this.reflector.get<T | undefined>(key, target as () => unknown);
    const path = get<string | string[]>(PATH_METADATA);
    if (path !== undefined && get(METHOD_METADATA) !== undefined) {
      const prefix = String(get(PATH_METADATA, owner) ?? '');
      const method = RequestMethod[get<RequestMethod>(METHOD_METADATA)!];
      return { method, path: joinPath(prefix, [path].flat()[0] ?? '') };
    }
    const fieldName = get<string>(GRAPHQL_RESOLVER_NAME);
    if (get(GRAPHQL_RESOLVER_PROPERTY) !== undefined) {
      // A field resolver's parent type is the class's `@Resolver(() => Task)`.
      const parent = graphqlParentName(get(GRAPHQL_RESOLVER_TYPE, owner));
      return { method: 'FIELD', path: `${parent}.${fieldName ?? handler.name}` };
    }
    const resolverType = get<unknown>(GRAPHQL_RESOLVER_TYPE);
    if (typeof resolverType === 'string') {
      return {
        method: resolverType.toUpperCase(),
        path: `${resolverType}.${fieldName ?? handler.name}`,
      };
    }
    if (get(WS_MESSAGE_MAPPING) !== undefined) {
      return { method: 'WS', path: String(get(WS_MESSAGE)) };
    }
    const patterns = get<unknown[]>(RPC_PATTERN);
    if (patterns !== undefined) {
      const kind = get<number>(RPC_HANDLER_TYPE) === 2 ? 'EVENT' : 'MESSAGE';
      return { method: kind, path: patterns.map((p) => JSON.stringify(p)).join(', ') };
    }
    return undefined;
  }
}

type Class = new (...args: never[]) => unknown;

interface ConnectedMicroservice {
  applicationConfig?: { getGlobalGuards?(): unknown[] };
  serverInstance?: object;
}

// Metadata keys of @nestjs/graphql, @nestjs/websockets and @nestjs/microservices, spelled out so
// the auditor reads them without importing those optional packages.
const GRAPHQL_RESOLVER_TYPE = 'graphql:resolver_type';
const GRAPHQL_RESOLVER_NAME = 'graphql:resolver_name';
const GRAPHQL_RESOLVER_PROPERTY = 'graphql:resolve_property';
const WS_MESSAGE_MAPPING = 'websockets:message_mapping';
const WS_MESSAGE = 'message';
const RPC_PATTERN = 'microservices:pattern';
const RPC_HANDLER_TYPE = 'microservices:handler_type';

/** `@Resolver(() => Task)` stores the type (or a thunk of it), `@Resolver('Task')` its name. */
function graphqlParentName(type: unknown): string {
  const resolved = typeof type === 'function' && !type.prototype ? (type as () => unknown)() : type;
  if (typeof resolved === 'function') return resolved.name;
  return typeof resolved === 'string' ? resolved : '?';
}

function joinPath(...parts: string[]): string {
  return `/${parts
    .map((p) => p.replace(/^\/|\/$/g, ''))
    .filter(Boolean)
    .join('/')}`;
}
