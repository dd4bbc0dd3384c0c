package authz.custom_test

import data.authz.custom

_owner_input(subject_type, action) := {
	"subject": {"type": subject_type, "id": "carol"},
	"action": action,
	"resource": {"type": "Task", "id": "t-4", "created_by": "carol", "created_by_type": "user", "status": "open"},
}

test_owner_may_read if custom.allow with input as _owner_input("user", "task:read")

test_owner_may_update if custom.allow with input as _owner_input("user", "task:update")

test_owner_may_not_delete if not custom.allow with input as _owner_input("user", "task:delete")

test_owner_rule_is_for_users_only if not custom.allow with input as _owner_input("token", "task:read")

test_owner_rule_needs_matching_creator if {
	doc := json.patch(
		_owner_input("user", "task:read"),
		[{"op": "replace", "path": "/resource/created_by", "value": "bob"}],
	)
	not custom.allow with input as doc
}

# The user `carol` owns nothing the token `carol` created, nor the other way round.
test_owner_rule_needs_matching_creator_type if {
	doc := json.patch(
		_owner_input("user", "task:update"),
		[{"op": "replace", "path": "/resource/created_by_type", "value": "token"}],
	)
	not custom.allow with input as doc
}

# A task the token `ci-bot` created (not in the seed data) gives the user `ci-bot` nothing,
# through the whole decision too: the token's own viewer binding lets the token read it, never
# the user, and never update it.
_ci_bot_input(subject_type, action) := {
	"subject": {"type": subject_type, "id": "ci-bot"},
	"action": action,
	"resource": {
		"type": "Task", "id": "t-by-token-ci-bot", "status": "open",
		"created_by": "ci-bot", "created_by_type": "token",
	},
	"roles": {"viewer": {"permissions": ["task:read", "task:list"]}},
	"bindings": [{"subject": {"type": "token", "id": "ci-bot"}, "role": "viewer", "scope": null}],
}

test_task_created_by_token_ci_bot_gives_user_ci_bot_nothing if {
	every action in ["task:read", "task:update", "task:delete"] {
		not custom.allow with input as _ci_bot_input("user", action)
		not data.authz.permit with input as _ci_bot_input("user", action)
	}
	data.authz.permit with input as _ci_bot_input("token", "task:read")
	not data.authz.permit with input as _ci_bot_input("token", "task:update")
}

test_token_never_owns_what_a_token_created if {
	doc := json.patch(
		_owner_input("token", "task:update"),
		[{"op": "replace", "path": "/resource/created_by_type", "value": "token"}],
	)
	not custom.allow with input as doc
}

# A row older than the creator-type column (null) or a loader that leaves it out: no owner.
test_unknown_creator_type_gives_no_ownership if {
	null_type := json.patch(
		_owner_input("user", "task:update"),
		[{"op": "replace", "path": "/resource/created_by_type", "value": null}],
	)
	not custom.allow with input as null_type
	no_type := json.remove(_owner_input("user", "task:read"), ["resource/created_by_type"])
	not custom.allow with input as no_type
}

test_owner_rule_is_for_tasks_only if {
	doc := json.patch(_owner_input("user", "task:read"), [{"op": "replace", "path": "/resource/type", "value": "Doc"}])
	not custom.allow with input as doc
}

test_owner_rule_never_covers_a_collection if {
	doc := {"subject": {"type": "user", "id": "carol"}, "action": "task:read", "resource": {"type": "Task"}}
	not custom.allow with input as doc
}

test_banned_subject_is_denied if {
	custom.deny == {"subject is banned"} with input as {
		"subject": {"type": "user", "id": "erin", "attributes": {"banned": true}},
		"action": "task:read",
		"resource": {"type": "Task", "id": "t-1"},
	}
}

test_banned_must_be_boolean_true if {
	count(custom.deny) == 0 with input as {"subject": {"type": "user", "id": "erin", "attributes": {"banned": "true"}}}
}

test_not_banned_is_not_denied if {
	count(custom.deny) == 0 with input as {"subject": {"type": "user", "id": "erin", "attributes": {"banned": false}}}
}

_archived_input(type, action) := {
	"subject": {"type": "user", "id": "alice"},
	"action": action,
	"resource": {"type": type, "id": "t-4", "status": "archived"},
}

test_archived_task_cannot_be_updated if {
	custom.deny == {"task is archived"} with input as _archived_input("Task", "task:update")
}

test_archived_task_cannot_be_deleted if {
	custom.deny == {"task is archived"} with input as _archived_input("Task", "task:delete")
}

test_archived_task_can_be_read if {
	count(custom.deny) == 0 with input as _archived_input("Task", "task:read")
}

test_archived_rule_is_for_tasks_only if {
	count(custom.deny) == 0 with input as _archived_input("Doc", "task:update")
}

test_open_task_can_be_updated if {
	doc := json.patch(
		_archived_input("Task", "task:update"),
		[{"op": "replace", "path": "/resource/status", "value": "open"}],
	)
	count(custom.deny) == 0 with input as doc
}

test_both_deny_reasons if {
	doc := json.patch(
		_archived_input("Task", "task:delete"),
		[{"op": "add", "path": "/subject/attributes", "value": {"banned": true}}],
	)
	custom.deny == {"subject is banned", "task is archived"} with input as doc
}
