# The image reference a workspace runs, kept in the workspace's Terraform state between builds.
#
# Coder applies this template on every start and stop, with the state of the workspace's last build.
# The first build stores the reference resolved then (the release's pin, or the digest the tag had);
# ignore_changes keeps it while the tag moves on, so a restart never swaps the image. It is resolved
# anew only when the trigger changes: another workspace image chosen, or the workspace updated to a
# new template version (a user's "Update", or an admin's push of a release's pinned-digests.json).
# A stop or delete resolves nothing (the input is null, the registry is not asked): the state's
# reference stays, and the next start runs it.
# The tests apply this file with Terraform itself (tools/coder-template/terraform.test.ts).
resource "terraform_data" "image_pin" {
  input            = local.resolved_reference
  triggers_replace = local.image_pin_trigger
  lifecycle {
    ignore_changes = [input]
    precondition {
      condition = local.image != null
      error_message = format(
        "The workspace image %q is not offered by this template version (images.json); choose one of: %s.",
        local.image_name, join(", ", keys(local.catalog.images)),
      )
    }
    precondition {
      condition = alltrue([
        for name, digest in local.pins :
        contains(keys(local.catalog.images), name) && can(regex("^sha256:[0-9a-f]{64}$", digest))
      ])
      error_message = "pinned-digests.json must map images of images.json to sha256 digests; use a release's file."
    }
  }
}
