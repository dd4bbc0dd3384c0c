# METADATA
# title: Custom authorization rules
# description: |
#   Extension point of the authz engine. Add rules here (or in more files of this
#   package) without editing the engine:
#
#   - `allow if { ... }` grants on top of the role bindings;
#   - `deny contains "<reason>" if { ... }` vetoes any allow and reports the reason.
#
#   Keep conditions on resource instance fields (input.resource.id, created_by,
#   created_by_type, status, ...) plain comparisons with values known from the subject, action, roles
#   and bindings, so list filtering can partially evaluate them.
package authz.custom

# METADATA
# description: |
#   A user may read and update a task they created: same subject type and id, so a
#   task created by the token `ci-bot` gives the user `ci-bot` nothing. A task whose
#   creator type is unknown (null or absent, e.g. a row older than the column) gives
#   no ownership to anyone.
allow if {
	input.subject.type == "user"
	input.resource.type == "Task"
	input.action in {"task:read", "task:update"}
	input.resource.created_by_type == input.subject.type
	input.resource.created_by == input.subject.id
}

# METADATA
# description: A banned subject is denied everything.
deny contains "subject is banned" if input.subject.attributes.banned == true

# METADATA
# description: An archived task cannot be updated or deleted, by anyone.
deny contains "task is archived" if {
	input.resource.type == "Task"
	input.action in {"task:update", "task:delete"}
	input.resource.status == "archived"
}
