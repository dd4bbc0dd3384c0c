import {
  Inject,
  Injectable,
  Logger,
  RequestMethod,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { OPA_MODULE_OPTIONS } from './opa.constants.js';
import { OpaMessages } from './opa.messages.js';
import type { OpaModuleOptions } from './opa-module-options.interface.js';
import { resolveOpaOptions } from './opa-options.js';
import { resolveRoutePolicy, type RoutePolicy } from './route-policy.js';

/** A route that has neither `@Authorize()` nor `@Public()`: the guard answers 403 on it. */
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
    @Inject(OPA_MODULE_OPTIONS) private readonly options: OpaModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    const line = (r: UnprotectedRoute) => `${r.method} ${r.path} (${r.handler})`;
    if (!resolveOpaOptions(this.options).hasServer) {
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
    this.report ??= this.discovery.getControllers().flatMap(({ metatype }) => {
      if (!metatype || !metatype.prototype) return [];
      const controller = metatype as new (...args: never[]) => unknown;
      const prefix = String(this.reflector.get(PATH_METADATA, controller) ?? '');
      return this.scanner.getAllMethodNames(controller.prototype).flatMap((name) => {
        const handler = (controller.prototype as Record<string, unknown>)[name] as () => unknown;
        const path = this.reflector.get<string | string[] | undefined>(PATH_METADATA, handler);
        if (path === undefined) return [];
        const policy = resolveRoutePolicy(this.reflector, handler, controller);
        if (policy.kind === 'public') return [];
        const method = RequestMethod[this.reflector.get<RequestMethod>(METHOD_METADATA, handler)];
        return [
          {
            method,
            path: joinPath(prefix, [path].flat()[0] ?? ''),
            handler: `${controller.name}.${name}`,
            policy,
          },
        ];
      });
    });
    return this.report;
  }
}

function joinPath(...parts: string[]): string {
  return `/${parts
    .map((p) => p.replace(/^\/|\/$/g, ''))
    .filter(Boolean)
    .join('/')}`;
}
