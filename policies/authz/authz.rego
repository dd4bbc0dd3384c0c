# METADATA
# title: Authorization engine
# description: |
#   Generic role-based access control over the input built by nestjs-opa, plus the
#   custom allow and deny rules of package authz.custom. The engine holds no data:
#   the role catalogue (input.roles) and the subject's bindings (input.bindings)
#   arrive with every query.
#
#   Conditions on resource instance fields (id, created_by, status, ...) are plain
#   comparisons, so that partial evaluation with those fields unknown leaves simple
#   residual queries for list filtering.
package authz

# METADATA
# scope: document
# description: |
#   True when the generic RBAC grants the action on the resource, or when a custom
#   allow rule (data.authz.custom.allow) does.
# entrypoint: true
default allow := false

allow if _granted

# METADATA
# scope: document
# description: True when any custom deny rule (data.authz.custom.deny) fires. A deny vetoes any allow.
# entrypoint: true
default deny := false

deny if _vetoed

# METADATA
# scope: document
# description: The final answer for one decision, allow and not deny.
# entrypoint: true
default permit := false

permit if {
	allow
	not deny
}

# METADATA
# description: |
#   Data-filtering entrypoint: true exactly when permit is. It has no default, so partial
#   evaluation with the resource's instance fields unknown inlines into residual queries
#   that are plain comparisons on input.resource (a default would leave support rules).
# entrypoint: true
include if {
	_granted
	not _vetoed
}

# METADATA
# scope: document
# description: |
#   The reasons given by the custom deny rules that fired, sorted; empty when none did.
default reasons := []

reasons := sort(data.authz.custom.deny)

# METADATA
# description: |
#   The answer to one decision, always defined. Missing keys mean false.
# entrypoint: true
decision := {
	"permit": permit,
	"allow": allow,
	"deny": deny,
	"reasons": reasons,
}

_grant_covers_action(grant, action) if {
	some permission in grant.permissions
	_permission_covers(permission, action)
}

# The subject's bindings whose role exists, as {permissions, scope}. Depends on subject,
# roles and bindings only, never on the action or the resource.
_subject_grants(doc) := [grant |
	some binding in doc.bindings
	_subject_matches(binding.subject, doc.subject)
	grant := {
		"permissions": doc.roles[binding.role].permissions,
		"scope": object.get(binding, "scope", null),
	}
]

# Some grant's role covers the action and its scope covers the resource.
_rbac_allows(grants, action, resource) if {
	some grant in grants
	_scope_covers(grant.scope, resource)
	_grant_covers_action(grant, action)
}

# Global binding: no scope, or a null scope.
_scope_covers(null, _)

# Type-scoped binding: covers every resource of the type, collections included.
_scope_covers(scope, resource) if {
	scope.type == resource.type
	object.get(scope, "id", null) == null
}

# Instance-scoped binding: the binding's id is a non-null string, so the equality below
# is false for a collection-level decision (resource.id absent or null) and partially
# evaluates to a single `input.resource.id == "<id>"` residual.
_scope_covers(scope, resource) if {
	scope.type == resource.type
	is_string(scope.id)
	resource.id == scope.id
}

# Built from the known parts only, so partial evaluation with the resource unknown folds it.
_grants := _subject_grants({"subject": input.subject, "roles": input.roles, "bindings": input.bindings})

_granted if _rbac_allows(_grants, input.action, input.resource)

_granted if data.authz.custom.allow == true

_vetoed if some _ in data.authz.custom.deny

# A binding matches a subject only when both type and id are equal,
# so a token binding never grants anything to a user of the same id.
_subject_matches(bound, subject) if {
	bound.type == subject.type
	bound.id == subject.id
}

_permission_covers("*", _)

_permission_covers(permission, action) if permission == action

_permission_covers(permission, action) if {
	endswith(permission, ":*")
	is_string(action)
	startswith(action, trim_suffix(permission, "*"))
}
