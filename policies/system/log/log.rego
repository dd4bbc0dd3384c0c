# METADATA
# title: Decision log masking
# description: |
#   Removes secrets from every decision log event before OPA writes or uploads it,
#   in the decision's input and in its result, at any depth.
#
#   A key is a credential when its normalised name (lowercase, without `-`, `_`,
#   `.` and spaces, so `apiKey`, `API_KEY`, `x-api-key` and `X-Api-Key` are alike)
#   contains a credential word (`token`, `secret`, `password`, `apikey`,
#   `authorization`, `cookie`, `jwt`, `session`, ...) or is a short credential
#   name (`auth`, `creds`, `pwd`, `pin`, ...); its whole value is erased, so
#   `auth: {...}` and `credentials: {...}` go with everything inside them. A string
#   value that is itself a credential (`Bearer ...`, `Basic ...`, a JWT, a PEM
#   private key) is erased under any key. Role names (the keys of `roles`) are
#   kept: they name permissions, not secrets.
#
#   OPA lists the erased paths in the event's `erased` field.
package system.log

# METADATA
# description: |
#   JSON pointers of the fields to erase from the decision log event: the
#   outermost credential on each path (its contents go with it).
mask contains _pointer(root, path) if {
	some root in _addressable_roots
	root in _suspect_roots
	walk(input[root], [path, value])
	_credential(root, path, value)
	not _inside_a_credential(root, path)
}

# METADATA
# description: |
#   The result of an ad-hoc query (`/v1/query`) is a list of bindings OPA cannot
#   erase inside (it skips such pointers silently), so it goes whole when it holds
#   a credential, e.g. `opa.runtime()` and its environment.
mask contains "/result" if {
	_ad_hoc_query
	"result" in _suspect_roots
	walk(input.result, [path, value])
	_credential("result", path, value)
}

_addressable_roots contains "input"

_addressable_roots contains "result" if not _ad_hoc_query

_ad_hoc_query if is_string(input.query)

_credential(root, path, _) if _credential_key(root, path)

_credential(root, _, value) if {
	is_string(value)
	value in _credential_values[root]
}

_inside_a_credential(root, path) if {
	count(path) > 1
	some i in numbers.range(1, count(path) - 1)
	_credential_key(root, array.slice(path, 0, i))
}

_credential_key(root, path) if {
	path[count(path) - 1] in _credential_keys[root]
	not _role_name(root, path)
}

# The mask runs on every logged decision, in OPA's request path. Most events hold
# no credential at all: one pass over the event's JSON, normalised like a key,
# finds every word or value prefix a credential needs (and more: `pin` is in
# `shipping`), and only a root where one appears is walked. Normalising the whole
# text keeps every normalised key a substring of it, so nothing is missed.
_suspect_roots contains root if {
	some root in ["input", "result"]

	# A subject of type "token" is a name, not a secret: it alone walks nothing.
	text := strings.replace_n(_separators, replace(lower(json.marshal(input[root])), `"type":"token"`, ""))
	some word in _suspect_words
	contains(text, word)
}

# `contains` per word: measured much faster than one regular expression with an
# alternative per word on a large bulk event.
_suspect_words := (_masked_names | _masked_words) | _masked_value_prefixes

# `_masked_value_pattern`'s starts, lowercased and without separators.
_masked_value_prefixes := {"basic", "bearer", "digest", "eyj", "negotiate", "privatekey"}

# A walked event has thousands of nodes when it is a bulk decision, but few
# distinct strings: each distinct key and string value is matched once here
# (once per event), and each node is then a lookup.
_credential_keys[root] := {key |
	some key in texts
	_credential_name(strings.replace_n(_separators, lower(key)))
} if {
	some root, texts in _strings
}

_credential_values[root] := {value |
	some value in texts
	_credential_value(value)
} if {
	some root, texts in _strings
}

# Every distinct key and string value below the roots that may hold a credential.
_strings[root] := {text |
	walk(input[root], [path, value])
	some text in [path[count(path) - 1], value]
	is_string(text)
} if {
	some root in _suspect_roots
}

_separators := {"-": "", "_": "", ".": "", " ": ""}

_credential_name(name) if name in _masked_names

_credential_name(name) if {
	some word in _masked_words
	contains(name, word)
}

# Normalised names that hold credentials when they are the whole key.
_masked_names := {
	"auth",
	"authn",
	"authcode",
	"authheader",
	"authentication",
	"creds",
	"dsn",
	"mfa",
	"otp",
	"pass",
	"pin",
	"sid",
	"totp",
}

# Words that make any key containing them a credential (`accessToken`,
# `DB_PASSWORD`, `x-api-key`, `Set-Cookie`, `clientSecret`, `sessionId`, ...).
_masked_words := {
	"accesskey",
	"apikey",
	"authorization",
	"bearer",
	"cookie",
	"credential",
	"encryptionkey",
	"jwt",
	"passcode",
	"passphrase",
	"passwd",
	"password",
	"privatekey",
	"pwd",
	"secret",
	"session",
	"signingkey",
	"token",
}

# `roles` maps role names to permissions, in a decision and in each bulk query.
_role_name("input", ["queries", _, "roles", _])

_role_name("input", ["roles", _])

# A string that is a credential whatever its key: an Authorization header value
# (`Bearer ...`, `Basic ...`, `Negotiate ...`, `Digest k=...`), a JWT, a PEM private key.
_credential_value(value) if regex.match(_masked_value_pattern, value)

_masked_value_pattern := concat("|", [
	`^\s*(?i:bearer|basic|negotiate)\s+\S+\s*$`,
	`^\s*(?i:digest)\s+\w+=`,
	`^eyJ[\w-]*\.[\w-]+\.`,
	`PRIVATE KEY-----`,
])

# The JSON pointer of `path` below /<root>. OPA splits mask paths on "/" and
# looks each part up URL-path-escaped, so a key holding "/" or any character that
# escaping changes (space, `%`, `?`, `,`, `;`, non-ASCII, ...) cannot be
# addressed: the object holding it is erased instead (over-masking, never leaking).
_pointer(root, path) := concat("/", array.concat(["", root], segments)) if {
	segments := [_segment(part) | some part in array.slice(path, 0, _depth(path))]
}

_depth(path) := min({i | some i, part in path; _unaddressable(part)} | {count(path)})

_unaddressable(part) if {
	is_string(part)
	not regex.match(`^[A-Za-z0-9._~$&+:=@-]*$`, part)
}

_segment(part) := part if is_string(part)

_segment(part) := format_int(part, 10) if is_number(part)
