import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  AuthorizationContext,
  AuthzRepository,
  RoleBinding as Binding,
  RoleCatalogue,
  Subject,
} from 'nestjs-opa';
import type { Repository } from 'typeorm';
import { RoleBinding } from './role-binding.entity.js';
import { Role } from './role.entity.js';
import { User } from './user.entity.js';

/**
 * Gives OPA what it needs for one decision, straight from the database on every call: OPA holds no
 * data, so a revoked role or a ban applies to the very next request.
 */
@Injectable()
export class TypeOrmAuthzRepository implements AuthzRepository {
  constructor(
    @InjectRepository(Role) private readonly roles: Repository<Role>,
    @InjectRepository(RoleBinding) private readonly bindings: Repository<RoleBinding>,
    @InjectRepository(User) private readonly users: Repository<User>,
  ) {}

  async loadContext(subject: Subject): Promise<AuthorizationContext> {
    const [roles, bindings, attributes] = await Promise.all([
      this.loadCatalogue(),
      this.bindings.findBy({ subjectType: subject.type, subjectId: subject.id }),
      this.loadAttributes(subject),
    ]);
    return { roles, bindings: bindings.map(toBinding), attributes };
  }

  private async loadCatalogue(): Promise<RoleCatalogue> {
    const roles = await this.roles.find({ relations: { permissions: true } });
    return Object.fromEntries(
      roles.map((role) => [
        role.name,
        { permissions: role.permissions.map((p) => p.permission).sort() },
      ]),
    );
  }

  /** Only people have attributes in this sample; API tokens and unknown subjects have none. */
  private async loadAttributes(subject: Subject): Promise<Record<string, unknown>> {
    if (subject.type !== 'user') return {};
    const user = await this.users.findOneBy({ id: subject.id });
    return user ? { banned: user.banned } : {};
  }
}

function toBinding(row: RoleBinding): Binding {
  return {
    subject: { type: row.subjectType, id: row.subjectId },
    role: row.role,
    scope: row.scopeType ? { type: row.scopeType, id: row.scopeId } : null,
  };
}
