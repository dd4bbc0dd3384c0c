package authz_test

import data.authz

_all_false := {"permit": false, "allow": false, "deny": false, "reasons": []}

# Custom rules come from custom/fixture_test.rego: the owner of a Doc may edit it, a locked
# Doc cannot be edited, a suspended subject is denied everything.
_owner_edit := {
	"subject": {"type": "user", "id": "dave"},
	"action": "doc:edit",
	"resource": {"type": "Doc", "id": "d-3", "owner": "dave"},
	"roles": {},
	"bindings": [],
}

_locked := {"op": "add", "path": "/resource/locked", "value": true}

# The sample's ownership rule, asked of the engine alone: it holds no such rule.
_task_creator_update := {
	"subject": {"type": "user", "id": "dave"},
	"action": "task:update",
	"resource": {"type": "Task", "id": "t-3", "created_by": "dave", "created_by_type": "user", "status": "open"},
	"roles": {},
	"bindings": [],
}

# Answer shape and permit == allow and not deny.

test_decision_permit if {
	doc := _input(["doc:read"], null, "doc:read", _doc)
	authz.decision == {"permit": true, "allow": true, "deny": false, "reasons": []} with input as doc
}

test_decision_no_binding_is_all_false if {
	authz.decision == _all_false with input as _input(["doc:read"], null, "doc:write", _doc)
}

test_custom_allow_grants_through_engine if {
	authz.decision == {"permit": true, "allow": true, "deny": false, "reasons": []} with input as _owner_edit
}

test_custom_deny_overrides_allow if {
	doc := _input(["*"], null, "doc:delete", {"type": "Doc", "id": "d-4", "locked": true})
	authz.decision == {"permit": false, "allow": true, "deny": true, "reasons": ["doc is locked"]} with input as doc
}

test_custom_deny_overrides_custom_allow if {
	doc := json.patch(_owner_edit, [_locked])
	authz.decision == {"permit": false, "allow": true, "deny": true, "reasons": ["doc is locked"]} with input as doc
}

test_deny_reasons_are_sorted if {
	doc := json.patch(_owner_edit, [_locked, {"op": "add", "path": "/subject/attributes", "value": {"suspended": true}}])
	authz.reasons == ["doc is locked", "subject is suspended"] with input as doc
}

# No custom rules loaded (an app that adds none): no extra allow, no extra deny.
test_engine_without_custom_rules if {
	authz.decision == _all_false with input as _owner_edit with authz.custom as {}
	authz.decision == _all_false with input as _task_creator_update with authz.custom as {}
	authz.decisions == [{"index": 0, "permit": false}] with input as {"queries": [_task_creator_update]}
		with authz.custom as {}
}

# Partial or garbage input is a denial, and the answer is still complete.

test_garbage_empty_input if authz.decision == _all_false with input as {}

test_garbage_non_object_input if authz.decision == _all_false with input as "garbage"

test_garbage_missing_roles if {
	authz.decision == _all_false with input as json.remove(_input(["doc:read"], null, "doc:read", _doc), ["roles"])
}

test_garbage_missing_bindings if {
	authz.decision == _all_false with input as json.remove(_input(["doc:read"], null, "doc:read", _doc), ["bindings"])
}

test_garbage_missing_subject if {
	authz.decision == _all_false with input as json.remove(_input(["doc:read"], null, "doc:read", _doc), ["subject"])
}

test_garbage_missing_action if {
	authz.decision == _all_false with input as json.remove(_input(["doc:read"], null, "doc:read", _doc), ["action"])
}

test_garbage_wrong_types if {
	doc := {"subject": "u-1", "action": 7, "resource": [], "roles": [], "bindings": "r"}
	authz.decision == _all_false with input as doc
}

test_garbage_permissions_not_a_list if {
	doc := json.patch(_input(["doc:read"], null, "doc:read", _doc), [{"op": "replace", "path": "/roles/r", "value": {}}])
	authz.decision == _all_false with input as doc
}

# Data-filtering entrypoint: defined exactly when permit holds.

test_include_when_permitted if authz.include with input as _input(["doc:read"], null, "doc:read", _doc)

test_include_undefined_when_denied if {
	doc := json.patch(_owner_edit, [_locked])
	not authz.include with input as doc
}

# Bulk decisions.

test_decisions_in_order if {
	queries := [
		_input(["doc:read"], null, "doc:read", _doc),
		_input(["doc:read"], null, "doc:write", _doc),
		_owner_edit,
		{},
		_input(["doc:*"], {"type": "Doc", "id": "d-1"}, "doc:write", _doc),
	]
	authz.decisions == [
		{"index": 0, "permit": true},
		{"index": 1, "permit": false},
		{"index": 2, "permit": true},
		{"index": 3, "permit": false},
		{"index": 4, "permit": true},
	] with input as {"queries": queries}
}

test_decisions_inherit_subject_roles_and_bindings if {
	outer := _input(["doc:read"], {"type": "Doc", "id": "d-1"}, "doc:write", _doc)
	queries := [
		{"action": "doc:read", "resource": _doc},
		{"action": "doc:read", "resource": {"type": "Doc", "id": "d-2"}},
		{"action": "doc:write", "resource": _doc},
	]
	authz.decisions == [
		{"index": 0, "permit": true},
		{"index": 1, "permit": false},
		{"index": 2, "permit": false},
	] with input as object.union(outer, {"queries": queries})
}

test_decisions_never_inherit_action_or_resource if {
	outer := _input(["doc:read"], null, "doc:read", _doc)
	authz.decisions == [{"index": 0, "permit": false}] with input as object.union(outer, {"queries": [{}]})
}

test_decisions_queries_override_what_they_carry if {
	outer := _input(["doc:read"], null, "doc:read", _doc)
	own := _input(["doc:write"], null, "doc:write", _doc)
	no_roles := object.union(object.remove(own, {"roles"}), {"roles": {}})
	stranger := {"subject": {"type": "user", "id": "u-2"}, "action": "doc:read", "resource": _doc}
	queries := [own, no_roles, {"action": "doc:write", "resource": _doc}, stranger]
	authz.decisions == [
		{"index": 0, "permit": true},
		{"index": 1, "permit": false},
		{"index": 2, "permit": false},
		{"index": 3, "permit": false},
	] with input as object.union(outer, {"queries": queries})
}

test_decisions_apply_custom_rules_per_query if {
	outer := object.union(_input([], null, "", _doc), {"subject": {"type": "user", "id": "dave"}})
	queries := [
		{"action": "doc:edit", "resource": {"type": "Doc", "id": "d-3", "owner": "dave"}},
		{"action": "doc:edit", "resource": {"type": "Doc", "id": "d-3", "owner": "dave", "locked": true}},
		{"action": "doc:edit", "resource": {"type": "Doc", "id": "d-1", "owner": "alice"}},
	]
	authz.decisions == [
		{"index": 0, "permit": true},
		{"index": 1, "permit": false},
		{"index": 2, "permit": false},
	] with input as object.union(outer, {"queries": queries})
}

test_decisions_without_queries if authz.decisions == [] with input as {}

test_decisions_empty_queries if authz.decisions == [] with input as {"queries": []}

test_decisions_queries_not_a_list if authz.decisions == [] with input as {"queries": {"a": {}}}

# The bulk path answers RBAC from an index of the shared grants, not from _rbac_allows:
# every combination of scope, permission, action and resource must match the point decision.
test_decisions_match_point_decisions if {
	scopes := [
		null, {"type": "Doc"}, {"type": "Doc", "id": null}, {"type": "Doc", "id": "d-1"},
		{"type": "Other"}, {"type": "Doc", "id": 7}, {"id": "d-1"}, {}, "odd",
	]
	permissions := [["*"], ["doc:*"], ["doc:read"], ["do:*"], [], ["x:*", "doc:read"], "odd"]
	actions := ["doc:read", "doc:write", "doc:", "*", "", 7, "doc:edit"]
	resources := [
		_doc, {"type": "Doc", "id": "d-2"}, _docs, {"type": "Doc", "id": null},
		{"type": "Other", "id": "d-1"}, {"type": "Doc", "id": 7}, {"id": "d-1"}, {}, "odd", null,
		{"type": "Doc", "id": "d-9", "owner": "u-1"},
		{"type": "Doc", "id": "d-8", "owner": "u-1", "locked": true},
		{"type": "Doc", "id": "d-7", "owner": "u-2", "locked": true},
	]
	queries := array.concat(
		[{"action": a, "resource": r} | some a in actions; some r in resources],
		[{"action": "doc:read"}, {"resource": _doc}, {}, {"action": "doc:read", "resource": _doc, "context": {}}],
	)
	every scope in scopes {
		every granted in permissions {
			outer := object.remove(_input(granted, scope, "", null), {"action", "resource"})
			bulk := authz.decisions with input as object.union(outer, {"queries": queries})
			every i, query in queries {
				bulk[i] == {"index": i, "permit": _point_permit(outer, query)}
			}

			# The same queries naming their resources by position answer the same.
			by_position := authz.decisions with input as object.union(outer, _by_position(queries))
			by_position == bulk
		}
	}
}

# queries with every resource moved into input.resources and named by resource_index.
_by_position(queries) := {
	"resources": [object.get(query, "resource", null) | some query in queries],
	"queries": [_moved(query, i) | some i, query in queries],
}

_moved(query, i) := object.union(object.remove(query, {"resource"}), {"resource_index": i}) if _ = query.resource

# A query without a resource keeps none (a null resource would answer differently).
_moved(query, _) := query if not "resource" in object.keys(query)

test_decisions_by_position if {
	outer := object.remove(_input(["doc:read"], null, "", null), {"action", "resource"})
	resources := [_doc, {"type": "Doc", "id": "d-2"}]
	queries := [
		{"action": "doc:read", "resource_index": 1},
		{"action": "doc:write", "resource_index": 0},
		{"action": "doc:read", "resource_index": 2},
		{"action": "doc:read", "resource_index": "0"},
		{"action": "doc:read", "resource_index": 0, "resource": _doc},
		{"action": "doc:read", "resource": _doc},
		object.union(outer, {"action": "doc:read", "resource_index": 0}),
	]
	authz.decisions == [
		{"index": 0, "permit": true},
		{"index": 1, "permit": false},
		{"index": 2, "permit": false},
		{"index": 3, "permit": false},
		{"index": 4, "permit": false},
		{"index": 5, "permit": true},
		{"index": 6, "permit": true},
	] with input as object.union(outer, {"resources": resources, "queries": queries})
}

test_decisions_position_without_resources if {
	outer := object.remove(_input(["doc:read"], null, "", null), {"action", "resource"})
	queries := [{"action": "doc:read", "resource_index": 0}, {"action": "doc:read", "resource_index": 0, "context": {}}]
	bulk := authz.decisions with input as object.union(outer, {"queries": queries})
	bulk == [{"index": 0, "permit": false}, {"index": 1, "permit": false}]
}

# Several bindings at once (instance grants on two types), a token bound under the same id,
# a binding to a missing role, and the same again for a suspended subject.
test_decisions_match_point_decisions_with_many_bindings if {
	every suspended in [false, true] {
		_many_bindings_match(suspended)
	}
}

_many_bindings_match(suspended) if {
	outer := {
		"subject": {"type": "user", "id": "u-1", "attributes": {"suspended": suspended}},
		"roles": {"reader": {"permissions": ["doc:read"]}, "writer": {"permissions": ["doc:write"]}},
		"bindings": [
			{"subject": {"type": "user", "id": "u-1"}, "role": "reader", "scope": {"type": "Doc"}},
			{"subject": {"type": "user", "id": "u-1"}, "role": "writer", "scope": {"type": "Doc", "id": "d-2"}},
			{"subject": {"type": "user", "id": "u-1"}, "role": "writer", "scope": {"type": "Other", "id": "o-1"}},
			{"subject": {"type": "token", "id": "u-1"}, "role": "writer", "scope": null},
			{"subject": {"type": "user", "id": "u-1"}, "role": "missing", "scope": null},
		],
	}
	queries := [{"action": a, "resource": r} |
		some a in ["doc:read", "doc:write", "doc:delete"]
		some r in [
			_doc, {"type": "Doc", "id": "d-2"}, _docs, {"type": "Other", "id": "d-2"},
			{"type": "Other", "id": "o-1"}, {"type": "Doc", "id": "o-1"},
		]
	]

	# regal ignore:with-outside-test-context
	bulk := authz.decisions with input as object.union(outer, {"queries": queries})
	every i, query in queries {
		bulk[i] == {"index": i, "permit": _point_permit(outer, query)}
	}
}

_point_permit(outer, query) := permit if {
	# regal ignore:with-outside-test-context
	permit := authz.permit with input as object.union(outer, query)
}
