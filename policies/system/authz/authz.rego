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
# description: |
#   A caller presenting the expected bearer token may call any API. The token is
#   compared inside the body and bound to a local variable only: a rule holding it
#   would be a document, readable by `GET /v1/data/system/authz` and copied into
#   decision logs. No rule of any package may hold a secret.
allow if {
	expected := opa.runtime().env.OPA_AUTH_TOKEN
	expected != ""
	input.identity == expected
}
