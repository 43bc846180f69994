#!/usr/bin/env bash
# No Docker engine runs on CI machines, so the packaging is checked
# statically: Compose must parse and resolve docker/docker-compose.yml, the
# entrypoint must be valid bash, and the Dockerfile must copy only paths
# that exist in the repository.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
docker-compose -f "$root/docker/docker-compose.yml" config -q
bash -n "$root/docker/entrypoint.sh"
while read -r src; do
  [[ -e "$root/$src" ]] || { echo "Dockerfile copies missing path: $src" >&2; exit 1; }
done < <(sed -n 's/^COPY \(--from=[^ ]* \)\{0,1\}//p' "$root/docker/Dockerfile" | grep -v '^/' | awk '{for (i = 1; i < NF; i++) print $i}')
echo "docker packaging OK"
