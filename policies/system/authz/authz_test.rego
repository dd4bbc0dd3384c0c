package system.authz_test

import data.system.authz

_runtime := {"env": {"OPA_AUTH_TOKEN": "s3cret"}}

_query := {"method": "POST", "path": ["v1", "data", "authz", "decision"]}

test_allows_the_expected_token if {
	authz.allow with input as object.union(_query, {"identity": "s3cret"})
		with opa.runtime as _runtime
}

test_allows_any_api_with_the_expected_token if {
	authz.allow with input as {"method": "PUT", "path": ["v1", "policies", "p"], "identity": "s3cret"}
		with opa.runtime as _runtime
}

test_denies_a_wrong_token if {
	not authz.allow with input as object.union(_query, {"identity": "wrong"})
		with opa.runtime as _runtime
}

test_denies_a_missing_token if {
	not authz.allow with input as _query
		with opa.runtime as _runtime
}

test_denies_everything_when_no_token_is_configured if {
	not authz.allow with input as object.union(_query, {"identity": "s3cret"})
		with opa.runtime as {"env": {}}
}

test_denies_an_empty_token_even_when_configured_empty if {
	not authz.allow with input as object.union(_query, {"identity": ""})
		with opa.runtime as {"env": {"OPA_AUTH_TOKEN": ""}}
}

test_allows_health_without_a_token if {
	authz.allow with input as {"method": "GET", "path": ["health"]}
		with opa.runtime as {"env": {}}
	authz.allow with input as {"method": "GET", "path": ["health", "ready"]}
		with opa.runtime as {"env": {}}
}

test_denies_other_methods_on_health if {
	not authz.allow with input as {"method": "POST", "path": ["health"]}
		with opa.runtime as {"env": {}}
}

test_denies_reading_data_without_a_token if {
	not authz.allow with input as {"method": "GET", "path": ["v1", "data"]}
		with opa.runtime as _runtime
}

# No rule of any package may hold the token: every document OPA serves (`GET /v1/data/...`)
# would carry it, and the decision log of that read too.
test_no_document_holds_the_token if {
	not _holds_the_token([authz, data.system.log, data.authz]) with opa.runtime as _runtime
}

_holds_the_token(documents) if {
	walk(documents, [_, value])
	is_string(value)
	contains(value, "s3cret")
}
