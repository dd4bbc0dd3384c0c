# Bulk decisions: the `decisions` entrypoint, which answers a page of point decisions in one
# query (OpaService.checkMany, DecisionService.checkMany) exactly as `permit` would answer each.
#
# Wire format (input):
#   subject, roles, bindings  shared by every query that leaves them out
#   resources                 optional array of resources, named by position
#   queries                   array; each is one of
#     {"action", "resource"}          a point query on the shared subject
#     {"action", "resource_index": k} the same, on input.resources[k] (each row sent once)
#     anything else                   its own point input: its subject, roles or bindings
#                                     replace the shared ones, unmerged
# Output: [{"index": i, "permit": bool}, ...] in query order; a query with both resource and
# resource_index, or a resource_index naming nothing, is denied.
#
# decision_test.rego checks every query shape against the point decision.
package authz

# METADATA
# description: |
#   Bulk answer: one {index, permit} per document of input.queries, in order. Each query
#   is shaped like a normal input; what it leaves out (subject, roles, bindings) it takes
#   from the top-level input, so a page of decisions for one subject sends those once.
#   A query may name its resource by position instead, {"action", "resource_index": k} for
#   input.resources[k], so a page of rows times actions sends each row once. A query with
#   both, or with a position that names nothing, is denied. Empty when there are no queries.
# entrypoint: true
decisions := [{"index": i, "permit": permit} |
	is_array(input.queries)
	some i, _ in input.queries
	permit := object.get(_bulk_permits, i, false)
]

# Each pass below is one tight loop over the queries: OPA charges about a microsecond per
# expression per query, and a function call per query costs several, so a page of 300
# decisions is answered by set lookups rather than by calling the point rules 300 times.
# The custom rules still need one `with input` per query; those run only where they can
# change the answer: custom allow where RBAC denies, custom deny where something allows.

_bulk_keys := {"subject", "roles", "bindings"}

# index -> true for the permitted queries (an object: `i in set` here trips the -O=1 optimizer).
_bulk_permits := {i: true | some i in (_bulk_fast_permitted | _bulk_own_permitted)}

# index -> the point-decision input of each query that carries just an action and a resource
# (or a resource position). Object literals: object.union would deep-copy the roles and
# bindings for every query. Two comprehensions, one per form, because a function picking the
# resource costs a call per query (about 10% of the whole rule in `opa bench`). For the same
# reason the shapes are tested inline, not by helper functions: `count(query) == 2` is a point
# query ({action, resource} or {action, resource_index}), `input.resources[query.resource_index]`
# its indexed resource (helpers for the two added 15% allocations per `decisions` evaluation).
_bulk_docs := docs if {
	is_array(input.resources)
	docs := {i: doc |
		subject := input.subject
		roles := input.roles
		bindings := input.bindings
		some i, query in input.queries
		count(query) == 2
		resource := input.resources[query.resource_index]
		doc := {"subject": subject, "roles": roles, "bindings": bindings, "action": query.action, "resource": resource}
	}
} else := {i: doc |
	subject := input.subject
	roles := input.roles
	bindings := input.bindings
	some i, query in input.queries
	count(query) == 2
	doc := {"subject": subject, "roles": roles, "bindings": bindings, "action": query.action, "resource": query.resource}
}

_bulk_fast_permitted := {i |
	some i in _bulk_allowed
	doc := _bulk_docs[i]
	not _bulk_vetoed(doc)
}

_bulk_vetoed(doc) if {
	# regal ignore:with-outside-test-context
	some _ in data.authz.custom.deny with input as doc
}

_bulk_allowed := _bulk_rbac_allowed | {i |
	some i, doc in _bulk_docs
	not _bulk_rbac_allowed[i]

	# regal ignore:with-outside-test-context
	data.authz.custom.allow == true with input as doc
}

# A pass whose index is empty is skipped: most subjects hold one or two kinds of scope.
_bulk_rbac_allowed := ({i |
	count(_bulk_global_actions) > 0
	some i, doc in _bulk_docs
	_bulk_global_actions[doc.action]
	_ = doc.resource
} | {i |
	count(_bulk_type_grants) > 0
	some i, doc in _bulk_docs
	_bulk_type_grants[doc.action][doc.resource.type]
}) | {i |
	count(_bulk_instance_grants) > 0
	some i, doc in _bulk_docs
	_bulk_instance_grants[doc.action][doc.resource.type][doc.resource.id]
}

# Queries with other keys (their own subject, roles or bindings, or anything else): those
# replace the shared ones, unmerged, and the query is answered exactly like a point decision.
_bulk_own_permitted := {i |
	some i, query in input.queries
	not _bulk_docs[i]
	shared := object.filter(input, _bulk_keys)
	doc := object.union(object.remove(shared, object.keys(object.filter(query, _bulk_keys))), _bulk_resolved(query))

	# regal ignore:with-outside-test-context
	permit with input as doc
}

_bulk_resolved(query) := query if not "resource_index" in object.keys(query)

_bulk_resolved(query) := object.union(object.remove(query, {"resource_index"}), {"resource": resource}) if {
	not "resource" in object.keys(query)
	resource := input.resources[query.resource_index]
}

# The RBAC index of a bulk request: for each action asked, where the shared subject's grants
# cover it. Built once per request. It must answer exactly what _rbac_allows answers:
# decision_test.rego checks every combination of scope, permission, action and resource
# against the point decision.
_bulk_actions := {query.action | some query in input.queries}

# Actions granted on everything, by a global binding.
_bulk_global_actions := {action |
	some action in _bulk_actions
	some grant in _grants
	grant.scope == null
	_grant_covers_action(grant, action)
}

# action -> the resource types granted by type-scoped bindings.
_bulk_type_grants := {action: types |
	some action in _bulk_actions
	types := {grant.scope.type |
		some grant in _grants
		is_object(grant.scope)
		object.get(grant.scope, "id", null) == null
		_grant_covers_action(grant, action)
	}
	count(types) > 0
}

# action -> type -> the ids granted by instance-scoped bindings.
_bulk_instance_grants := {action: ids_by_type |
	some action in _bulk_actions
	scopes := [grant.scope |
		some grant in _grants
		is_string(grant.scope.id)
		_grant_covers_action(grant, action)
	]
	count(scopes) > 0
	ids_by_type := {scope.type: ids |
		some scope in scopes
		ids := {other.id | some other in scopes; other.type == scope.type}
	}
}
