#!/bin/sh
# A minimal BuildKit SBOM generator (https://github.com/moby/buildkit/blob/master/docs/attestations/sbom-protocol.md):
# lists the Debian packages of the scanned root filesystem as an SPDX 2.3 document in an in-toto statement.
# For machines where BuildKit's default scanner image (docker/buildkit-syft-scanner) cannot be pulled.
set -eu
src="${BUILDKIT_SCAN_SOURCE:?}"
out="${BUILDKIT_SCAN_DESTINATION:?}"
name=$(basename "$src")
status="$src/var/lib/dpkg/status"
{
  printf '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[],"predicate":'
  printf '{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"%s","documentNamespace":"https://spdx.org/spdxdocs/%s-%s",' "$name" "$name" "$(date +%s)"
  printf '"creationInfo":{"created":"%s","creators":["Tool: workspace-images-sbom-scanner"]},"packages":[' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  if [ -f "$status" ]; then
    awk 'BEGIN{n=0} /^Package: /{p=$2} /^Version: /{v=$2} /^$/{ if(p!=""){ if(n++) printf ","; printf "{\"name\":\"%s\",\"SPDXID\":\"SPDXRef-Package-deb-%d\",\"versionInfo\":\"%s\",\"downloadLocation\":\"NOASSERTION\",\"externalRefs\":[{\"referenceCategory\":\"PACKAGE-MANAGER\",\"referenceType\":\"purl\",\"referenceLocator\":\"pkg:deb/debian/%s@%s\"}]}", p, n, v, p, v }; p=""; v="" }' "$status"
  fi
  printf ']}}'
} > "$out/$name.spdx.json"
