import { DiscoveryService } from '@nestjs/core';

/** Attributes of a loaded resource, such as `created_by` and `status`. */
export type ResourceAttributes = Record<string, unknown>;

/**
 * Loads a resource's attributes so policies can see them (ownership, status). Return `undefined`
 * for an unknown id and the guard answers 404. Register one per resource type with
 * `@ResourceLoader('<Type>')` on a provider.
 *
 * @example
 * ```ts
 * @ResourceLoader('Task')
 * @Injectable()
 * export class TaskLoader implements ResourceLoader {
 *   async load(id: string) {
 *     const task = await this.tasks.findOneBy({ id });
 *     return task && { created_by: task.createdBy, status: task.status };
 *   }
 * }
 * ```
 */
export interface ResourceLoader {
  load(id: string, request: unknown): Promise<ResourceAttributes | undefined | null>;
}

/** Marks a provider as the {@link ResourceLoader} of a resource type. */
export const ResourceLoader = DiscoveryService.createDecorator<string>();
