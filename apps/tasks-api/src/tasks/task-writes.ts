import { ConflictException, NotFoundException } from '@nestjs/common';
import type { RequestAuthorization, ResourceAttributes } from 'nestjs-opa';
import type { MissedWrite } from './tasks.service.js';

/**
 * The result of a guarded read or write, or the error for a missed one. The guard already
 * answered 404 for unknown ids; this covers a row deleted or changed since (REST and GraphQL).
 */
export function landed<T>(id: string, result: T | MissedWrite): T {
  if (result === 'not-found') throw new NotFoundException(`Task "${id}" not found`);
  if (result === 'changed') throw new ConflictException(`Task "${id}" changed meanwhile; retry`);
  return result;
}

/**
 * The task's attributes the permit was decided on. Without them a write could not be tied to the
 * decision, so it is refused (a 500: the route is misconfigured, never a silent unchecked write).
 */
export function decidedOn(authz: RequestAuthorization | undefined): ResourceAttributes {
  const attributes = authz?.decision ? authz.resource?.attributes : undefined;
  if (!attributes) throw new Error('No decision on the loaded task to condition the write on');
  return attributes;
}
