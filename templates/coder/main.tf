# Coder template: one workspace is one container of an image of this repository's family, started the
# way the images expect it (systemd as PID 1, the agent run by coder-agent.service as coder).
# Guide: docs/coder.md. Push: coder templates push workspace-images -d templates/coder
#
# images.json lists the images offered, where each is published and whether it runs its own Docker
# engine. It is written from the Nx graph (npx images coder-template); a test fails when it is stale.

# Providers: bounded to their major line ("~>"), as Coder's examples bound modules: a new major can
# change what a stop or delete does to existing workspaces, so it is taken by a template change.
# docker ~> 4.0: the earlier ">= 3.0.2, < 5.0.0" already resolved to 4.x, whose state 3.x cannot read.
terraform {
  required_version = ">= 1.4.0" # terraform_data
  required_providers {
    coder = {
      source  = "coder/coder"
      version = "~> 2.3" # coder_devcontainer is in 2.3.0 and later
    }
    docker = {
      source  = "kreuzwerker/docker"
      version = "~> 4.0"
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
    error_message = "runtime must be \"\" (privileged containers, single-tenant) or \"sysbox-runc\" (Sysbox installed on the Docker host, multi-tenant); push with --variable runtime= or --variable runtime=sysbox-runc --variable docker_socket=."
  }
}

variable "arch" {
  type        = string
  default     = ""
  description = "The Docker host's architecture, for the agent's binary: amd64 or arm64. Empty: the provisioner's."
  validation {
    condition     = contains(["", "amd64", "arm64"], var.arch)
    error_message = "arch must be \"\" (the provisioner's), \"amd64\" or \"arm64\" (the images are built for these two); push with --variable arch=<the Docker host's>."
  }
}

variable "devcontainer_workspace_folder" {
  type        = string
  default     = ""
  description = "A project folder in the workspace whose devcontainer.json Coder's Dev Containers integration starts, e.g. /home/coder/projects/app. Only with the developer image (its own Docker engine and the devcontainer CLI). Empty: none."
  validation {
    condition     = var.devcontainer_workspace_folder == "" || can(regex("^(/|~/)", var.devcontainer_workspace_folder))
    error_message = "devcontainer_workspace_folder must be empty (no dev container) or a folder in the workspace, absolute or under ~/ (e.g. /home/coder/projects/app); push with --variable devcontainer_workspace_folder=/home/coder/projects/<project>."
  }
}

variable "devcontainer_config_path" {
  type        = string
  default     = ""
  description = "The devcontainer.json to use, when it is not where the Dev Containers CLI looks in the folder (.devcontainer/devcontainer.json, .devcontainer.json). Empty: the CLI's choice."
  validation {
    condition     = var.devcontainer_config_path == "" || can(regex("^(/|~/).*\\.json$", var.devcontainer_config_path))
    error_message = "devcontainer_config_path must be empty or the path of a .json file in the workspace, absolute or under ~/ (e.g. /home/coder/projects/app/.devcontainer/devcontainer.json)."
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
  # A registry path (ghcr.io/acme/workspace-images), not "" nor "/base": images.json written by a
  # plugin without a repository. docker_image's precondition names the fix.
  repository_ok = can(regex("^[a-z0-9]", local.image.repository))

  # Only a start runs the image: stop and delete read nothing from the registry and pull nothing (the
  # registry data source and docker_image count with it), so a registry outage, expired credentials
  # or a deleted tag never keep a workspace from stopping or being deleted.
  starting = data.coder_workspace.me.start_count == 1

  # The digest the workspace runs: the release's pin (pinned-digests.json next to this file, from a
  # release), else what the tag names in the registry now, asked on a start only. terraform_data.image_pin
  # (pin.tf) keeps the first answer until the image choice or the template version changes; on a stop
  # there is no answer (null) and the pin keeps the state's.
  pins_file          = "${path.module}/pinned-digests.json"
  pins               = jsondecode(fileexists(local.pins_file) ? file(local.pins_file) : "{\"digests\": {}}").digests
  release_digest     = lookup(local.pins, local.image_name, "")
  ask_registry       = local.starting && local.image != null && local.release_digest == "" && local.repository_ok
  registry_digest    = one(data.docker_registry_image.workspace[*].sha256_digest)
  resolved_digest    = local.release_digest != "" ? local.release_digest : local.registry_digest
  resolved_reference = local.image == null || local.resolved_digest == null ? null : "${local.image.repository}@${local.resolved_digest}"
  image_pin_trigger  = [local.image_name, data.coder_workspace.me.template_version]

  # How long a stop may take before the engine kills the container: longer than systemd's own stop
  # timeout of any unit (90 s by default), so systemd always halts cleanly; an inner dockerd first
  # stops its own containers. The start test checks both against the running units.
  stop_timeout = local.engine_inside ? 180 : 120

  docker_modes = {
    inside = "its own Docker engine (Docker-in-Docker)"
    host   = "the host's Docker engine"
  }

  # Coder's Dev Containers integration: the agent runs `devcontainer up` in the folder on the workspace's
  # own engine, so only an image with an engine inside (developer, which has the devcontainer CLI).
  devcontainer = var.devcontainer_workspace_folder != ""

  # The agent must reach a Coder server that listens on the Docker host.
  agent_init_script = replace(coder_agent.main.init_script, "/localhost|127\\.0\\.0\\.1/", "host.docker.internal")

  # Volumes: per workspace (deleted with it) and per owner (never managed here, so never deleted).
  workspace_volume = "coder-${data.coder_workspace.me.id}"
  owner_volume     = "coder-owner-${data.coder_workspace_owner.me.id}-home-persist"
}

data "coder_parameter" "workspace_image" {
  name         = "workspace_image"
  display_name = "Workspace image"
  description  = "The image the workspace runs. Your home folder (projects, settings, logins) stays when you switch."
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

# No `dir` (deprecated in the provider, and anything but $HOME breaks Coder Desktop's file sync):
# sessions start in $HOME, /home/coder, with the projects in ~/projects.
resource "coder_agent" "main" {
  arch = var.arch != "" ? var.arch : data.coder_provisioner.me.arch
  os   = "linux"
  env = {
    GIT_AUTHOR_NAME     = coalesce(data.coder_workspace_owner.me.full_name, data.coder_workspace_owner.me.name)
    GIT_AUTHOR_EMAIL    = data.coder_workspace_owner.me.email
    GIT_COMMITTER_NAME  = coalesce(data.coder_workspace_owner.me.full_name, data.coder_workspace_owner.me.name)
    GIT_COMMITTER_EMAIL = data.coder_workspace_owner.me.email
  }

  # Shown on the workspace's page, as Coder's own templates do (`coder stat` is the agent's binary).
  metadata {
    display_name = "CPU Usage"
    key          = "0_cpu_usage"
    script       = "coder stat cpu"
    interval     = 10
    timeout      = 1
  }
  metadata {
    display_name = "RAM Usage"
    key          = "1_ram_usage"
    script       = "coder stat mem"
    interval     = 10
    timeout      = 1
  }
  metadata {
    display_name = "Home Disk"
    key          = "2_home_disk"
    script       = "coder stat disk --path $${HOME}"
    interval     = 60
    timeout      = 1
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

# --- the image, pinned by digest (a start's only) ------------------------------------------------------

data "docker_registry_image" "workspace" {
  count = local.ask_registry ? 1 : 0
  name  = local.image.reference
}

# terraform_data.image_pin (pin.tf) holds the reference between builds. Present while the workspace
# runs: a stop destroys it (keep_locally: the image stays on the engine), a start finds it there or pulls.
resource "docker_image" "workspace" {
  count        = data.coder_workspace.me.start_count
  name         = terraform_data.image_pin.output
  keep_locally = true
  lifecycle {
    precondition {
      condition = local.image == null || local.repository_ok
      error_message = format(
        "images.json gives the image %q no registry repository (%q): set the image plugin's repository option in nx.json (where the images are pushed), run npx images coder-template, and push the template again.",
        local.image_name, try(local.image.repository, ""),
      )
    }
    precondition {
      condition     = local.image == null || !local.repository_ok || terraform_data.image_pin.output != null
      error_message = "This workspace's state holds no image reference to run: update the workspace to the template's active version, or choose another image (either resolves it anew), then start it."
    }
  }
}

# --- volumes -------------------------------------------------------------------------------------------

# All of /home/coder, as Coder's own docker template keeps it: dotfiles, shell history, editor servers
# and extensions, ~/.local. Docker fills a new volume with the image's /home/coder (its skeleton) when
# it is first mounted; after that, what is in $HOME is the user's, whatever image runs.
resource "docker_volume" "home" {
  name = "${local.workspace_volume}-home"
  lifecycle {
    ignore_changes = all
  }
}

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
  image    = docker_image.workspace[0].image_id
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
  # CODER_AGENT_DEVCONTAINERS_ENABLE: Coder servers before 2.24 start the integration only with it.
  env = concat(
    ["CODER_AGENT_TOKEN=${coder_agent.main.token}"],
    local.devcontainer ? ["CODER_AGENT_DEVCONTAINERS_ENABLE=true"] : [],
  )
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
    container_path = "/home/coder"
    volume_name    = docker_volume.home.name
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

  lifecycle {
    # Sysbox is for servers whose users must not be root on the Docker host; the host's socket would
    # make them root there again. Checked at every start, and at the push (Coder plans a start then).
    precondition {
      condition     = !(var.runtime == "sysbox-runc" && var.docker_socket != "")
      error_message = "runtime = \"sysbox-runc\" (multi-tenant) with docker_socket = \"${var.docker_socket}\" would mount the host's Docker socket into images without an engine of their own, making every user root on the Docker host: push with --variable docker_socket= (those images then have the Docker CLI but no engine; developer has its own), or leave runtime empty on a single-tenant server."
    }
  }
}

# On the workspace's page: which image it runs, and the digest it is pinned to.
resource "coder_metadata" "image" {
  count       = data.coder_workspace.me.start_count
  resource_id = docker_container.workspace[0].id
  item {
    key   = "image"
    value = "${local.image_name} (${local.docker_modes[local.image.docker]})"
  }
  item {
    key   = "pinned"
    value = terraform_data.image_pin.output
  }
}

# --- Coder's Dev Containers integration (optional) ------------------------------------------------------

# The project's dev container, started by the agent inside the workspace (a sub-agent Coder shows beside
# the workspace's own). Only with an image that runs its own Docker engine: on the host's engine the
# project folder would be a path of the host, and every dev container a container beside the workspaces.
resource "coder_devcontainer" "project" {
  count            = local.devcontainer ? data.coder_workspace.me.start_count : 0
  agent_id         = coder_agent.main.id
  workspace_folder = var.devcontainer_workspace_folder
  config_path      = var.devcontainer_config_path == "" ? null : var.devcontainer_config_path
  lifecycle {
    precondition {
      condition = local.engine_inside
      error_message = format(
        "devcontainer_workspace_folder = %q starts a dev container with the workspace's own Docker engine and the devcontainer CLI, which the image %q does not have (%s): choose an image with its own engine (%s) for this workspace, or push the template with --variable devcontainer_workspace_folder= to start none.",
        var.devcontainer_workspace_folder, local.image_name, try(local.docker_modes[local.image.docker], "not offered"),
        join(", ", [for name, i in local.catalog.images : name if i.docker == "inside"]),
      )
    }
  }
}
