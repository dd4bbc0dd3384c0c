import { RoleBinding } from './role-binding.entity.js';
import { Role, RolePermission } from './role.entity.js';
import { User } from './user.entity.js';

/** The tables the authorization repository reads. */
export const authzEntities = [User, Role, RolePermission, RoleBinding];
