package system.log_test

import data.system.log

_event(decision_input) := {"path": "authz/decision", "input": decision_input, "result": {"permit": true}}

test_masks_top_level_and_header_credentials if {
	masks := log.mask with input as _event({
		"token": "t",
		"password": "p",
		"headers": {"Authorization": "Bearer t", "cookie": "c", "x-api-key": "k", "accept": "*/*"},
	})
	masks == {
		"/input/token",
		"/input/password",
		"/input/headers/Authorization",
		"/input/headers/cookie",
		"/input/headers/x-api-key",
	}
}

test_masks_subject_attributes_and_bulk_queries if {
	masks := log.mask with input as _event({
		"subject": {"type": "user", "id": "carol", "attributes": {"token": "t", "Password": "p", "banned": false}},
		"queries": [{"subject": {"attributes": {"api_key": "k"}}}, {"subject": {"id": "x"}}],
	})
	masks == {
		"/input/subject/attributes/token",
		"/input/subject/attributes/Password",
		"/input/queries/0/subject/attributes/api_key",
	}
}

test_erases_the_object_holding_a_key_opa_cannot_address if {
	masks := log.mask with input as _event({"subject": {"attributes": {"a/b": {"secret": "s"}}}})
	masks == {"/input/subject/attributes"}
}

test_keeps_an_ordinary_decision_input if {
	count(log.mask) == 0 with input as _event({
		"subject": {"type": "token", "id": "ci-bot", "attributes": {}},
		"action": "task:read",
		"resource": {"type": "Task", "id": "t-1", "created_by": "alice"},
		"roles": {"viewer": {"permissions": ["task:read"]}},
		"bindings": [{"subject": {"type": "token", "id": "ci-bot"}, "role": "viewer", "scope": null}],
	})
}

test_masks_nothing_without_input if {
	count(log.mask) == 0 with input as {"path": "authz/decision", "result": true}
}
