import { Injectable, Logger, RequestMethod, type OnApplicationBootstrap } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { AuthorizeRule } from './authorize.decorator.js';
import { OpaMessages } from './opa.messages.js';
import { Public } from './public.decorator.js';

/** A route that has neither `@Authorize()` nor `@Public()`: the guard answers 403 on it. */
export interface UnprotectedRoute {
  method: string;
  path: string;
  handler: string;
}

/**
 * Lists, at startup, the routes a developer forgot to decorate. The guard already denies them;
 * the report makes the mistake visible before a user meets the 403.
 */
@Injectable()
export class RouteAuditor implements OnApplicationBootstrap {
  private readonly logger = new Logger('OpaModule');
  private report?: UnprotectedRoute[];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const routes = this.unprotectedRoutes();
    if (routes.length > 0) {
      this.logger.warn(
        OpaMessages.unprotectedRoutes(routes.map((r) => `${r.method} ${r.path} (${r.handler})`)),
      );
    }
  }

  /** Routes of every controller that have neither `@Authorize()` nor `@Public()`. */
  unprotectedRoutes(): UnprotectedRoute[] {
    this.report ??= this.discovery.getControllers().flatMap(({ metatype }) => {
      if (!metatype || !metatype.prototype) return [];
      const controller = metatype as new (...args: never[]) => unknown;
      const prefix = String(this.reflector.get(PATH_METADATA, controller) ?? '');
      return this.scanner.getAllMethodNames(controller.prototype).flatMap((name) => {
        const handler = (controller.prototype as Record<string, unknown>)[name] as () => unknown;
        const path = this.reflector.get<string | string[] | undefined>(PATH_METADATA, handler);
        if (path === undefined) return [];
        const targets = [handler, controller];
        if (this.reflector.getAllAndOverride(Public, targets)) return [];
        if (this.reflector.getAllAndOverride(AuthorizeRule, targets)) return [];
        const method = RequestMethod[this.reflector.get<RequestMethod>(METHOD_METADATA, handler)];
        return [
          {
            method,
            path: joinPath(prefix, [path].flat()[0] ?? ''),
            handler: `${controller.name}.${name}`,
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
