import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A person who can sign in. Its attributes reach the policies as `input.subject.attributes`. */
@Entity('users')
export class User {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  id!: string;

  /** A banned user is denied everything by the custom deny rule, whatever their roles. */
  @Column({ type: 'boolean', default: false })
  banned!: boolean;
}
