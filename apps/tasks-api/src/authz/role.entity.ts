import { Entity, JoinColumn, ManyToOne, OneToMany, PrimaryColumn, type Relation } from 'typeorm';

/**
 * A role of the catalogue. Role and permission live in one file because they are one concept
 * (and two ESM files referencing each other's classes in decorator metadata would be circular).
 */
@Entity('roles')
export class Role {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name!: string;

  @OneToMany(() => RolePermission, (permission) => permission.role, { cascade: true })
  permissions!: Relation<RolePermission>[];
}

/** One action a role grants: exact (`task:read`), a prefix (`task:*`) or everything (`*`). */
@Entity('role_permissions')
export class RolePermission {
  @PrimaryColumn({ name: 'role', type: 'varchar', length: 64 })
  roleName!: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  permission!: string;

  @ManyToOne(() => Role, (role) => role.permissions, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'role' })
  role?: Relation<Role>;
}
