import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Grants a role to a subject, globally (no scope), on a resource type (`scope_type` only) or on one
 * resource (`scope_type` and `scope_id`). The subject is matched on type **and** id, so a binding
 * of token `ci-bot` gives nothing to user `ci-bot`.
 */
@Entity('role_bindings')
@Index(['subjectType', 'subjectId'])
export class RoleBinding {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'subject_type', type: 'varchar', length: 16 })
  subjectType!: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 128 })
  subjectId!: string;

  @Column({ type: 'varchar', length: 64 })
  role!: string;

  @Column({ name: 'scope_type', type: 'varchar', length: 64, nullable: true })
  scopeType!: string | null;

  @Column({ name: 'scope_id', type: 'varchar', length: 128, nullable: true })
  scopeId!: string | null;
}
