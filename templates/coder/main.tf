# Coder template: one workspace is one container of an image of this repository's family, started the
# way the images expect it (systemd as PID 1, the agent run by coder-agent.service as coder).
# Guide: docs/coder.md. Push: coder templates push workspace-images -d templates/coder
#
# images.json lists the images offered, where each is published and whether it runs its own Docker
# engine. It is written from the Nx graph (npx images coder-template); a test fails when it is stale.

terraform {
  required_version = ">= 1.4.0" # terraform_data
  required_providers {
    coder = {
      source  = "coder/coder"
      version = ">= 2.0.0"
    }
    docker = {
      source  = "kreuzwerker/docker"
      version = ">= 3.0.2, < 5.0.0"
    }
  }
}

# --- template variables (set by the admin: coder templates push --variable name=value) -------------

variable "docker_host" {
  type        = string
  default     = ""
  description = "The engine that runs the workspaces, e.g. unix:///var/run/docker.sock (empty: the default)."
}

variable "docker_socket" {
  type        = string
  default     = "/var/run/docker.sock"
  description = "Host path of its socket, mounted into images without an engine inside. Empty: none (multi-tenant)."
}

variable "runtime" {
  type        = string
  default     = ""
  description = "Empty: privileged containers (single-tenant only). sysbox-runc: unprivileged (multi-tenant)."
  validation {
    condition     = contains(["", "sysbox-runc"], var.runtime)
    error_message = "runtime must be \"\" (privileged containers) or \"sysbox-runc\" (Sysbox on the Docker host)."
  }
}

provider "docker" {
  host = var.docker_host == "" ? null : var.docker_host
}

data "coder_provisioner" "me" {}
data "coder_workspace" "me" {}
data "coder_workspace_owner" "me" {}

locals {
  catalog = jsondecode(file("${path.module}/images.json"))

  # The chosen image and how it runs Docker: "inside" (its own engine, Docker-in-Docker) or "host"
  # (the host engine's socket, Docker-outside-of-Docker).
  # A value that is no image of images.json (a template version dropped it) is stopped by the pin's
  # precondition with its own message; until then, nothing below fails on it.
  image_name    = data.coder_parameter.workspace_image.value
  image         = lookup(local.catalog.images, local.image_name, null)
  engine_inside = try(local.image.docker, "") == "inside"
  host_socket   = !local.engine_inside && var.docker_socket != ""

  # The digest the workspace runs: the release's pin (pinned-digests.json next to this file, from a
  # release), else what the tag names in the registry now. terraform_data.image_pin (pin.tf) keeps the
  # first answer until the image choice or the template version changes.
  pins_file          = "${path.module}/pinned-digests.json"
  pins               = jsondecode(fileexists(local.pins_file) ? file(local.pins_file) : "{\"digests\": {}}").digests
  release_digest     = lookup(local.pins, local.image_name, "")
  registry_digest    = one(data.docker_registry_image.workspace[*].sha256_digest)
  resolved_digest    = local.release_digest != "" ? local.release_digest : local.registry_digest
  resolved_reference = local.image == null ? null : "${local.image.repository}@${local.resolved_digest}"
  image_pin_trigger  = [local.image_name, data.coder_workspace.me.template_version]

  # How long a stop may take before the engine kills the container: longer than systemd's own stop
  # timeout of any unit (90 s by default), so systemd always halts cleanly; an inner dockerd first
  # stops its own containers. The start test checks both against the running units.
  stop_timeout = local.engine_inside ? 180 : 120

  docker_modes = {
    inside = "its own Docker engine (Docker-in-Docker)"
    host   = "the host's Docker engine"
  }

  # The agent must reach a Coder server that listens on the Docker host.
  agent_init_script = replace(coder_agent.main.init_script, "/localhost|127\\.0\\.0\\.1/", "host.docker.internal")

  # Volumes: per workspace (deleted with it) and per owner (never managed here, so never deleted).
  workspace_volume = "coder-${data.coder_workspace.me.id}"
  owner_volume     = "coder-owner-${data.coder_workspace_owner.me.id}-home-persist"
}

data "coder_parameter" "workspace_image" {
  name         = "workspace_image"
  display_name = "Workspace image"
  description  = "The image the workspace runs. Projects and persisted settings stay when you switch."
  type         = "string"
  mutable      = true
  default      = local.catalog.default
  dynamic "option" {
    for_each = local.catalog.images
    content {
      name        = option.key
      value       = option.key
      description = "${option.key}: ${local.docker_modes[option.value.docker]}"
    }
  }
}

resource "coder_agent" "main" {
  arch = data.coder_provisioner.me.arch
  os   = "linux"
  dir  = "/home/coder/projects"
  env = {
    GIT_AUTHOR_NAME     = coalesce(data.coder_workspace_owner.me.full_name, data.coder_workspace_owner.me.name)
    GIT_AUTHOR_EMAIL    = data.coder_workspace_owner.me.email
    GIT_COMMITTER_NAME  = coalesce(data.coder_workspace_owner.me.full_name, data.coder_workspace_owner.me.name)
    GIT_COMMITTER_EMAIL = data.coder_workspace_owner.me.email
  }
}

# Hooks of the image: every executable in /etc/coder/start.d, in name order, as coder, at each start.
resource "coder_script" "start_hooks" {
  agent_id           = coder_agent.main.id
  display_name       = "Image start hooks"
  run_on_start       = true
  start_blocks_login = true
  script             = file("${path.module}/start-hooks.sh")
}

# --- the image, pinned by digest ---------------------------------------------------------------------

data "docker_registry_image" "workspace" {
  count = local.image != null && local.release_digest == "" ? 1 : 0
  name  = local.image.reference
}

# terraform_data.image_pin (pin.tf) holds the reference between builds.
resource "docker_image" "workspace" {
  name         = terraform_data.image_pin.output
  keep_locally = true
}

# --- volumes -------------------------------------------------------------------------------------------

resource "docker_volume" "projects" {
  name = "${local.workspace_volume}-projects"
  lifecycle {
    ignore_changes = all
  }
}

resource "docker_volume" "workspace_persist" {
  name = "${local.workspace_volume}-home-persist"
  lifecycle {
    ignore_changes = all
  }
}

resource "docker_volume" "docker_data" {
  count = local.engine_inside ? 1 : 0
  name  = "${local.workspace_volume}-docker"
  lifecycle {
    ignore_changes = all
  }
}

# --- the container -------------------------------------------------------------------------------------

resource "docker_container" "workspace" {
  count    = data.coder_workspace.me.start_count
  image    = docker_image.workspace.image_id
  name     = "coder-${lower(data.coder_workspace_owner.me.name)}-${lower(data.coder_workspace.me.name)}"
  hostname = data.coder_workspace.me.name

  # systemd as PID 1 (the image's entrypoint, then /sbin/init): a writable cgroup tree, tmpfs on /run,
  # and the signal that halts it. /tmp is exec: the agent's init script runs the agent from there.
  privileged    = var.runtime == ""
  runtime       = var.runtime == "" ? null : var.runtime
  cgroupns_mode = "private"
  tmpfs = {
    "/run"      = ""
    "/run/lock" = ""
    "/tmp"      = "exec"
  }
  stop_signal           = "SIGRTMIN+3"
  stop_timeout          = local.stop_timeout
  destroy_grace_seconds = local.stop_timeout

  # The entrypoint hands CODER_* variables to coder-agent.service, which runs the uploaded script as coder.
  env = ["CODER_AGENT_TOKEN=${coder_agent.main.token}"]
  upload {
    file       = "/etc/coder/agent-init.sh"
    content    = local.agent_init_script
    executable = true
  }
  host {
    host = "host.docker.internal"
    ip   = "host-gateway"
  }

  volumes {
    container_path = "/home/coder/projects"
    volume_name    = docker_volume.projects.name
  }
  volumes {
    container_path = "/mnt/home-persist/workspace"
    volume_name    = docker_volume.workspace_persist.name
  }
  volumes {
    container_path = "/mnt/home-persist/owner"
    volume_name    = local.owner_volume
  }
  dynamic "volumes" {
    for_each = docker_volume.docker_data
    content {
      container_path = "/var/lib/docker"
      volume_name    = volumes.value.name
    }
  }
  dynamic "volumes" {
    for_each = local.host_socket ? [var.docker_socket] : []
    content {
      container_path = "/var/run/docker.sock"
      host_path      = volumes.value
    }
  }

  labels {
    label = "coder.owner"
    value = data.coder_workspace_owner.me.name
  }
  labels {
    label = "coder.workspace_id"
    value = data.coder_workspace.me.id
  }
  labels {
    label = "coder.workspace_image"
    value = local.image_name
  }
}
