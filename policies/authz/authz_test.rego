package authz_test

import data.authz

# One user u-1 bound to role r (with the given permissions) at the given scope.
# Resources are of type Doc, so an app's rules loaded beside the engine (the sample's Task
# rules) stay out of the way; the stand-in custom rules of custom/fixture_test.rego fire only
# on a Doc's owner or locked fields and on suspended subjects.
_input(permissions, scope, action, resource) := {
	"subject": {"type": "user", "id": "u-1"},
	"action": action,
	"resource": resource,
	"roles": {"r": {"permissions": permissions}},
	"bindings": [{"subject": {"type": "user", "id": "u-1"}, "role": "r", "scope": scope}],
}

_doc := {"type": "Doc", "id": "d-1"}

_docs := {"type": "Doc"}

# Permission matching.

test_permission_equal_covers if authz.allow with input as _input(["doc:read"], null, "doc:read", _doc)

test_permission_different_does_not_cover if not authz.allow with input as _input(["doc:read"], null, "doc:write", _doc)

test_permission_prefix_wildcard_covers if authz.allow with input as _input(["doc:*"], null, "doc:read", _doc)

test_permission_prefix_wildcard_needs_prefix if not authz.allow with input as _input(["doc:*"], null, "docs:read", _doc)

test_permission_prefix_wildcard_needs_colon if not authz.allow with input as _input(["doc:*"], null, "doc", _doc)

test_permission_prefix_wildcard_other_prefix if not authz.allow with input as _input(["doc:*"], null, "task:read", _doc)

test_permission_star_covers_everything if authz.allow with input as _input(["*"], null, "anything:at-all", _doc)

test_permission_prefix_wildcard_non_string_action if not authz.allow with input as _input(["doc:*"], null, 42, _doc)

test_permission_one_of_many_covers if authz.allow with input as _input(["doc:list", "doc:read"], null, "doc:read", _doc)

test_permission_empty_role_covers_nothing if not authz.allow with input as _input([], null, "doc:read", _doc)

# Scope matching.

test_scope_null_is_global if {
	doc := _input(["doc:read"], null, "doc:read", {"type": "Other", "id": "x"})
	authz.allow with input as doc
}

test_scope_null_covers_collection if authz.allow with input as _input(["doc:list"], null, "doc:list", _docs)

test_scope_absent_is_global if {
	doc := json.remove(_input(["doc:read"], null, "doc:read", _doc), ["bindings/0/scope"])
	authz.allow with input as doc
}

test_scope_empty_object_covers_nothing if not authz.allow with input as _input(["doc:read"], {}, "doc:read", _doc)

test_scope_type_covers_instance if authz.allow with input as _input(["doc:read"], {"type": "Doc"}, "doc:read", _doc)

test_scope_type_covers_collection if authz.allow with input as _input(["doc:list"], {"type": "Doc"}, "doc:list", _docs)

test_scope_type_with_null_id_is_type_scoped if {
	doc := _input(["doc:list"], {"type": "Doc", "id": null}, "doc:list", _docs)
	authz.allow with input as doc
}

test_scope_type_other_type if not authz.allow with input as _input(["doc:read"], {"type": "Task"}, "doc:read", _doc)

test_scope_instance_covers_same_id if {
	doc := _input(["doc:read"], {"type": "Doc", "id": "d-1"}, "doc:read", _doc)
	authz.allow with input as doc
}

test_scope_instance_other_id if {
	doc := _input(["doc:read"], {"type": "Doc", "id": "d-2"}, "doc:read", _doc)
	not authz.allow with input as doc
}

test_scope_instance_other_type if {
	not authz.allow with input as _input(["doc:read"], {"type": "Task", "id": "d-1"}, "doc:read", _doc)
}

test_scope_instance_never_covers_collection if {
	not authz.allow with input as _input(["doc:list"], {"type": "Doc", "id": "d-1"}, "doc:list", _docs)
}

test_scope_instance_never_covers_null_id if {
	doc := _input(["doc:list"], {"type": "Doc", "id": "d-1"}, "doc:list", {"type": "Doc", "id": null})
	not authz.allow with input as doc
}

# Subject and role matching.

_with_binding_subject(bound) := json.patch(
	_input(["doc:read"], null, "doc:read", _doc),
	[{"op": "replace", "path": "/bindings/0/subject", "value": bound}],
)

test_subject_token_binding_not_for_user_of_same_id if {
	not authz.allow with input as _with_binding_subject({"type": "token", "id": "u-1"})
}

test_subject_user_binding_not_for_token_of_same_id if {
	doc := json.patch(
		_input(["doc:read"], null, "doc:read", _doc),
		[{"op": "replace", "path": "/subject/type", "value": "token"}],
	)
	not authz.allow with input as doc
}

test_subject_other_id if not authz.allow with input as _with_binding_subject({"type": "user", "id": "u-2"})

test_subject_missing_in_binding if not authz.allow with input as _with_binding_subject(null)

test_subject_token_binding_for_token if {
	doc := json.patch(
		_with_binding_subject({"type": "token", "id": "u-1"}),
		[{"op": "replace", "path": "/subject/type", "value": "token"}],
	)
	authz.allow with input as doc
}

test_role_missing_from_catalogue if {
	doc := json.patch(
		_input(["doc:read"], null, "doc:read", _doc),
		[{"op": "replace", "path": "/bindings/0/role", "value": "ghost"}],
	)
	not authz.allow with input as doc
}

test_any_binding_may_grant if {
	doc := json.patch(_input(["doc:read"], {"type": "Doc", "id": "d-1"}, "doc:read", _doc), [{
		"op": "add", "path": "/bindings/0",
		"value": {"subject": {"type": "user", "id": "u-1"}, "role": "r", "scope": {"type": "Doc", "id": "d-9"}},
	}])
	authz.allow with input as doc
}
