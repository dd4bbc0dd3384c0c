package system.log_test

import data.system.log

_event(decision_input) := {"path": "authz/decision", "input": decision_input, "result": {"permit": true}}

# Credential names as words, spelled below in every common style.
_credential_words := [
	["access", "token"],
	["api", "key"],
	["auth"],
	["auth", "token"],
	["authorization"],
	["aws", "secret", "access", "key"],
	["bearer"],
	["bearer", "token"],
	["client", "secret"],
	["cookie"],
	["credentials"],
	["creds"],
	["db", "password"],
	["id", "token"],
	["jwt"],
	["otp"],
	["passwd"],
	["password"],
	["pin"],
	["private", "key"],
	["proxy", "authorization"],
	["pwd"],
	["refresh", "token"],
	["secret"],
	["session"],
	["session", "id"],
	["set", "cookie"],
	["signing", "key"],
	["token"],
	["user", "pass", "phrase"],
	["x", "api", "key"],
	["x", "auth", "token"],
]

_capitalized(word) := concat("", [upper(substring(word, 0, 1)), substring(word, 1, -1)])

_camel(words) := concat("", array.concat([words[0]], [_capitalized(w) | some w in array.slice(words, 1, count(words))]))

# snake, kebab, camel, Pascal, UPPER_SNAKE, UPPER-KEBAB, Train-Case, flat, dotted.
_spellings(words) := {
	concat("_", words),
	concat("-", words),
	_camel(words),
	concat("", [_capitalized(w) | some w in words]),
	upper(concat("_", words)),
	upper(concat("-", words)),
	concat("-", [_capitalized(w) | some w in words]),
	concat("", words),
	concat(".", words),
}

_spelled_keys contains key if {
	some words in _credential_words
	some key in _spellings(words)
}

test_generates_over_a_hundred_and_fifty_spellings if {
	count(_spelled_keys) > 150
	"x-api-key" in _spelled_keys
	"X-Api-Key" in _spelled_keys
	"clientSecret" in _spelled_keys
	"AWS_SECRET_ACCESS_KEY" in _spelled_keys
}

test_masks_every_spelling_at_the_top_of_the_input if {
	masks := log.mask with input as _event({key: "s" | some key in _spelled_keys})
	masks == {sprintf("/input/%s", [key]) | some key in _spelled_keys}
}

# Where a key sits does not change how it is spelled: one spelling per word list
# (camelCase), at every depth the library's inputs have.
_nested_keys contains _camel(words) if some words in _credential_words

test_masks_in_headers_attributes_and_bulk_queries if {
	keys := {key: "s" | some key in _nested_keys}
	masks := log.mask with input as _event({
		"headers": keys,
		"subject": {"type": "user", "id": "carol", "attributes": keys},
		"queries": [{"action": "task:read"}, {"subject": {"attributes": {"profile": keys}}}],
	})
	every key in _nested_keys {
		sprintf("/input/headers/%s", [key]) in masks
		sprintf("/input/subject/attributes/%s", [key]) in masks
		sprintf("/input/queries/1/subject/attributes/profile/%s", [key]) in masks
	}
	count(masks) == 3 * count(_nested_keys)
}

test_masks_every_spelling_in_the_result if {
	masks := log.mask with input as {
		"path": "tokens/issue",
		"input": {"action": "task:read"},
		"result": {"issued": [{"client": {key: "s" | some key in _spelled_keys}}]},
	}
	masks == {sprintf("/result/issued/0/client/%s", [key]) | some key in _spelled_keys}
}

test_masks_a_credential_split_by_separators_anywhere if {
	masks := log.mask with input as _event({"headers": {"to-ken": "t", "Se.Cret": "s", "p_w_d": "p", "accept": "*/*"}})
	masks == {"/input/headers/to-ken", "/input/headers/Se.Cret", "/input/headers/p_w_d"}
}

test_erases_an_auth_like_object_whole if {
	masks := log.mask with input as _event({
		"subject": {"type": "user", "id": "carol", "attributes": {
			"auth": {"scheme": "basic", "user": "carol", "password": "p"},
			"Credentials": {"key_id": "k", "value": "v"},
			"oauth": {"accessToken": "t", "scope": "read"},
		}},
	})
	masks == {
		"/input/subject/attributes/auth",
		"/input/subject/attributes/Credentials",
		"/input/subject/attributes/oauth/accessToken",
	}
}

test_masks_credential_values_under_any_key if {
	masks := log.mask with input as _event({
		"headers": {"x-forwarded-user": "Bearer abc.def", "x-upstream": "basic dXNlcjpwdw=="},
		"subject": {"attributes": {
			"id_hint": "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJjYXJvbCJ9.c2ln",
			"keys": ["-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----", "public"],
			"note": "a bearer of good news",
		}},
	})
	masks == {
		"/input/headers/x-forwarded-user",
		"/input/headers/x-upstream",
		"/input/subject/attributes/id_hint",
		"/input/subject/attributes/keys/0",
	}
}

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

# OPA looks mask path parts up URL-path-escaped: a key that escaping changes
# cannot be addressed, so the object holding it goes instead.
test_erases_the_object_holding_a_key_opa_cannot_address if {
	masks := log.mask with input as _event({
		"subject": {"attributes": {"a/b": {"secret": "s"}}},
		"headers": {"api key": "k", "accept": "*/*"},
		"context": {"password, old": "p"},
		"profile": {"clé": {"token": "t"}, "name": "n"},
	})
	masks == {"/input/subject/attributes", "/input/headers", "/input/context", "/input/profile"}
}

test_addresses_keys_that_escaping_keeps if {
	masks := log.mask with input as _event({"headers": {"x-api-key:v2": "k", "user@token": "t"}})
	masks == {"/input/headers/x-api-key:v2", "/input/headers/user@token"}
}

# OPA cannot erase inside an ad-hoc query's result (a list of bindings), so the
# whole result goes: `opa.runtime()` would otherwise log OPA's environment.
test_erases_an_ad_hoc_query_result_holding_a_credential if {
	masks := log.mask with input as {
		"query": "assign(x, opa.runtime())",
		"result": [{"x": {"env": {"OPA_AUTH_TOKEN": "s", "HOME": "/"}}}],
	}
	masks == {"/result"}
}

test_keeps_an_ad_hoc_query_result_without_credentials if {
	count(log.mask) == 0 with input as {"query": "assign(x, 1)", "result": [{"x": 1}]}
}

# Everything the decision log exists for stays: subject type and id (a subject of
# type "token" included), action, resource, role names that sound like secrets,
# permissions, bindings, reasons and the answer.
test_keeps_every_ordinary_authz_field if {
	roles := {
		"token-admin": {"permissions": ["token:rotate"]},
		"secret-reader": {"permissions": ["secret:read"]},
		"session_manager": {"permissions": ["session:*"]},
		"auth": {"permissions": ["*"]},
	}
	bindings := [{"subject": {"type": "token", "id": "ci-bot"}, "role": "token-admin", "scope": null}]
	masks := log.mask with input as {
		"path": "authz/decisions",
		"input": {
			"subject": {"type": "token", "id": "ci-bot", "attributes": {"banned": false, "team": "platform"}},
			"action": "token:rotate",
			"resource": {"type": "Token", "id": "tok-1", "created_by": "alice", "author": "bob", "status": "open"},
			"roles": roles,
			"bindings": bindings,
			"resources": [{"type": "Task", "id": "t-1"}],
			"queries": [
				{"action": "task:read", "resource_index": 0},
				{"action": "secret:read", "resource": {"type": "Secret", "id": "s-1"}, "roles": roles},
			],
		},
		"result": [
			{"index": 0, "permit": true},
			{"index": 1, "permit": false, "reasons": ["token is banned"]},
		],
	}
	count(masks) == 0
}

test_masks_nothing_without_input if {
	count(log.mask) == 0 with input as {"path": "authz/decision", "result": true}
}
