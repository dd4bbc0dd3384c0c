# METADATA
# title: OPA API authorization
# description: |
#   Who may call OPA's REST API. OPA consults it only when started with
#   `--authentication=token --authorization=basic`; otherwise it is ignored, so it is
#   always loaded with the rest of policies/.
#
#   The expected bearer token comes from the OPA process environment
#   (`OPA_AUTH_TOKEN`), never from a file in this repository. Without it every
#   call is denied (fail closed), except the health probes.
package system.authz

# METADATA
# description: Every API call is denied unless a rule below allows it.
default allow := false

# METADATA
# description: Health probes need no token, so orchestrators can probe OPA.
allow if {
	input.method == "GET"
	input.path[0] == "health"
}

# METADATA
# description: A caller presenting the expected bearer token may call any API.
allow if {
	_expected_token != ""
	input.identity == _expected_token
}

# The token OPA expects, from its own environment; undefined when unset.
_expected_token := opa.runtime().env.OPA_AUTH_TOKEN
