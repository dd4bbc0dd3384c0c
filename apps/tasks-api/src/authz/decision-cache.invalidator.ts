import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DecisionCache } from 'nestjs-opa';
import type {
  DataSource,
  EntitySubscriberInterface,
  InsertEvent,
  RemoveEvent,
  UpdateEvent,
} from 'typeorm';
import { RoleBinding } from './role-binding.entity.js';
import { Role, RolePermission } from './role.entity.js';
import { User } from './user.entity.js';

/**
 * Keeps the opt-in decision cache honest: whenever a binding, a user's attributes or the role
 * catalogue change through TypeORM, the decisions they fed are dropped. Bindings and users drop
 * one subject's entries; a role change can affect anyone, so it drops everything. Task changes
 * need nothing: a task's fields are part of every cached input that used them.
 */
@Injectable()
export class DecisionCacheInvalidator implements EntitySubscriberInterface {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly cache: DecisionCache,
  ) {
    dataSource.subscribers.push(this);
  }

  afterInsert(event: InsertEvent<unknown>): void {
    this.invalidate(event.metadata.target, event.entity);
  }

  afterUpdate(event: UpdateEvent<unknown>): void {
    this.invalidate(event.metadata.target, event.entity ?? event.databaseEntity);
  }

  afterRemove(event: RemoveEvent<unknown>): void {
    this.invalidate(event.metadata.target, event.entity ?? event.databaseEntity);
  }

  private invalidate(target: unknown, entity: unknown): void {
    if (!this.cache.enabled) return;
    if (target === RoleBinding && entity) {
      const binding = entity as RoleBinding;
      this.cache.invalidateSubject({ type: binding.subjectType, id: binding.subjectId });
    } else if (target === User && entity) {
      this.cache.invalidateSubject({ type: 'user', id: (entity as User).id });
    } else if (
      target === Role ||
      target === RolePermission ||
      target === RoleBinding ||
      target === User
    ) {
      // A change we cannot pin to one subject (bulk delete, role catalogue): drop everything.
      this.cache.invalidateAll();
    }
  }
}
