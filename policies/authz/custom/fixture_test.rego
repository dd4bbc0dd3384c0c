# Stand-in custom rules for the engine's own tests. The engine is tested without any
# application's rules: these fill its extension point for the tests only. Named
# *_test.rego, so they never ship and OPA loads them only under `opa test`. They use the
# type Doc, so an app's rules loaded beside them (the sample's Task rules) stay out of the
# way. No package METADATA: the app's own custom package carries that.
package authz.custom

# METADATA
# description: The owner of a Doc may edit it.
allow if {
	input.resource.type == "Doc"
	input.action == "doc:edit"
	input.resource.owner == input.subject.id
}

# METADATA
# description: A suspended subject is denied everything.
deny contains "subject is suspended" if input.subject.attributes.suspended == true

# METADATA
# description: A locked Doc cannot be edited or deleted.
deny contains "doc is locked" if {
	input.resource.type == "Doc"
	input.action in {"doc:edit", "doc:delete"}
	input.resource.locked == true
}
