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
	walk(input.result, [path, value])
	_credential("result", path, value)
}

_addressable_roots contains "input"

_addressable_roots contains "result" if not _ad_hoc_query

_ad_hoc_query if is_string(input.query)

_credential(root, path, _) if _credential_key(root, path)

_credential(_, _, value) if _credential_value(value)

_inside_a_credential(root, path) if {
	count(path) > 1
	some i in numbers.range(1, count(path) - 1)
	_credential_key(root, array.slice(path, 0, i))
}

_credential_key(root, path) if {
	key := path[count(path) - 1]
	is_string(key)
	not _role_name(root, path)
	_credential_name(strings.replace_n(_separators, lower(key)))
}

_separators := {"-": "", "_": "", ".": "", " ": ""}

# One regular expression, compiled once, instead of a loop over the words: the
# mask walks every key of every logged decision.
_credential_name(name) if regex.match(_masked_key_pattern, name)

_masked_key_pattern := concat("|", [
	sprintf("^(%s)$", [concat("|", _masked_names)]),
	concat("|", _masked_words),
])

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
_credential_value(value) if {
	is_string(value)
	regex.match(_masked_value_pattern, value)
}

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
