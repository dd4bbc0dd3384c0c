# METADATA
# title: Decision log masking
# description: |
#   Removes secrets from the input of every decision log event before OPA writes
#   or uploads it. Any object key named like a credential (`token`, `password`,
#   `authorization`, ...; case-insensitive), at any depth of the decision input,
#   is erased: `/input/token`, `/input/headers/authorization`,
#   `/input/subject/attributes/password`, `/input/queries/0/subject/attributes/token`.
#   OPA lists the erased paths in the event's `erased` field.
package system.log

# METADATA
# description: JSON pointers of the input fields to erase from the decision log event.
mask contains _pointer(path) if {
	walk(input.input, [path, _])
	count(path) > 0
	is_string(path[count(path) - 1])
	lower(path[count(path) - 1]) in _secret_keys
}

# Field names that hold credentials.
_secret_keys := {
	"access_token",
	"api_key",
	"apikey",
	"authorization",
	"client_secret",
	"cookie",
	"id_token",
	"password",
	"private_key",
	"proxy-authorization",
	"refresh_token",
	"secret",
	"set-cookie",
	"token",
	"x-api-key",
}

# The JSON pointer of `path` below /input. OPA splits mask paths on "/" without
# unescaping, so a key holding "/" cannot be addressed: the object holding it is
# erased instead (over-masking, never leaking).
_pointer(path) := concat("/", array.concat(["", "input"], segments)) if {
	segments := [_segment(part) | some part in array.slice(path, 0, _depth(path))]
}

_depth(path) := min({i | some i, part in path; _unaddressable(part)} | {count(path)})

_unaddressable(part) if {
	is_string(part)
	contains(part, "/")
}

_segment(part) := part if is_string(part)

_segment(part) := format_int(part, 10) if is_number(part)
