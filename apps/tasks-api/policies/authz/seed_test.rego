package authz_test

import data.authz

# The sample's seed data (see the authorization model), checked end to end: every seed
# subject against every task for read/update/delete, and the task collection for
# create/list. Each test asserts the exact set of permitted decisions, so it checks
# every denial too. All seed bindings are passed, so the engine's own subject matching
# (type and id) is exercised as well.

_seed_roles := {
	"viewer": {"permissions": ["task:read", "task:list"]},
	"editor": {"permissions": ["task:read", "task:list", "task:create", "task:update"]},
	"admin": {"permissions": ["task:*"]},
}

_seed_bindings := [
	{"subject": {"type": "user", "id": "alice"}, "role": "admin", "scope": null},
	{"subject": {"type": "user", "id": "bob"}, "role": "editor", "scope": {"type": "Task"}},
	{"subject": {"type": "user", "id": "carol"}, "role": "viewer", "scope": null},
	{"subject": {"type": "user", "id": "carol"}, "role": "editor", "scope": {"type": "Task", "id": "t-2"}},
	{"subject": {"type": "user", "id": "erin"}, "role": "editor", "scope": null},
	{"subject": {"type": "token", "id": "ci-bot"}, "role": "viewer", "scope": null},
]

_seed_tasks := [
	{"type": "Task", "id": "t-1", "created_by": "alice", "created_by_type": "user", "status": "open"},
	{"type": "Task", "id": "t-2", "created_by": "bob", "created_by_type": "user", "status": "open"},
	{"type": "Task", "id": "t-3", "created_by": "dave", "created_by_type": "user", "status": "open"},
	{"type": "Task", "id": "t-4", "created_by": "carol", "created_by_type": "user", "status": "archived"},
]

_seed_subjects := [
	{"type": "user", "id": "alice"},
	{"type": "user", "id": "bob"},
	{"type": "user", "id": "carol"},
	{"type": "user", "id": "dave"},
	{"type": "user", "id": "erin", "attributes": {"banned": true}},
	{"type": "token", "id": "ci-bot"},
	{"type": "user", "id": "ci-bot"},
	{"type": "user", "id": "mallory"},
]

_seed_input(subject, action, resource) := {
	"subject": subject,
	"action": action,
	"resource": resource,
	"roles": _seed_roles,
	"bindings": _seed_bindings,
}

# Every decision to check for a subject, keyed "<action> <task id>" or "<action> Task".
_seed_inputs(subject) := object.union(
	{sprintf("%s %s", [action, task.id]): _seed_input(subject, action, task) |
		some action in ["task:read", "task:update", "task:delete"]
		some task in _seed_tasks
	},
	{sprintf("%s Task", [action]): _seed_input(subject, action, {"type": "Task", "id": null}) |
		some action in ["task:create", "task:list"]
	},
)

_read_all := {"task:read t-1", "task:read t-2", "task:read t-3", "task:read t-4"}

_update_open := {"task:update t-1", "task:update t-2", "task:update t-3"}

# admin global: everything on tasks, except updating or deleting the archived t-4.
test_seed_alice if {
	permitted := {key |
		some key, doc in _seed_inputs({"type": "user", "id": "alice"})
		authz.permit with input as doc
	}
	permitted == (_read_all | _update_open) | {
		"task:delete t-1", "task:delete t-2", "task:delete t-3",
		"task:create Task", "task:list Task",
	}
}

# editor on type Task: read, update (not archived t-4), create, list; no delete.
test_seed_bob if {
	permitted := {key |
		some key, doc in _seed_inputs({"type": "user", "id": "bob"})
		authz.permit with input as doc
	}
	permitted == (_read_all | _update_open) | {"task:create Task", "task:list Task"}
}

# viewer global, editor on t-2 only (no create: instance scope never covers the
# collection), owns t-4 but it is archived.
test_seed_carol if {
	permitted := {key |
		some key, doc in _seed_inputs({"type": "user", "id": "carol"})
		authz.permit with input as doc
	}
	permitted == _read_all | {"task:update t-2", "task:list Task"}
}

# no bindings, owns t-3: read and update it through the custom owner rule.
test_seed_dave if {
	permitted := {key |
		some key, doc in _seed_inputs({"type": "user", "id": "dave"})
		authz.permit with input as doc
	}
	permitted == {"task:read t-3", "task:update t-3"}
}

# editor global but banned: nothing.
test_seed_erin if {
	permitted := {key |
		some key, doc in _seed_inputs({"type": "user", "id": "erin", "attributes": {"banned": true}})
		authz.permit with input as doc
	}
	permitted == set()
}

# viewer global as a token: read and list.
test_seed_token_ci_bot if {
	permitted := {key |
		some key, doc in _seed_inputs({"type": "token", "id": "ci-bot"})
		authz.permit with input as doc
	}
	permitted == _read_all | {"task:list Task"}
}

# the token's binding never grants to a user of the same id (nor does a task the
# token created: see authz/custom/custom_test.rego).
test_seed_user_ci_bot if {
	permitted := {key |
		some key, doc in _seed_inputs({"type": "user", "id": "ci-bot"})
		authz.permit with input as doc
	}
	permitted == set()
}

# authenticated but unknown: no bindings, no attributes.
test_seed_unknown_mallory if {
	permitted := {key |
		some key, doc in _seed_inputs({"type": "user", "id": "mallory"})
		authz.permit with input as doc
	}
	permitted == set()
}

# The collection-level decision is the same with resource.id absent as with null.
test_seed_collection_without_id if {
	authz.permit with input as _seed_input({"type": "user", "id": "bob"}, "task:create", {"type": "Task"})
	not authz.permit with input as _seed_input({"type": "user", "id": "carol"}, "task:create", {"type": "Task"})
}

# The data-filtering entrypoint agrees with permit on every seed decision.
test_seed_include_matches_permit if {
	every subject in _seed_subjects {
		permitted := {key | some key, doc in _seed_inputs(subject); authz.permit with input as doc}
		included := {key | some key, doc in _seed_inputs(subject); authz.include with input as doc}
		permitted == included
	}
}
