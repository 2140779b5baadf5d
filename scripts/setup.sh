#!/usr/bin/env bash
# Installs what haco needs on a Debian/Ubuntu machine (as root) and builds it. Idempotent and quick when done.
#   bash scripts/setup.sh                    the runtime tools: what `haco create`/`start` drive, the C
#                                            toolchain and libseccomp for the launcher; then npm ci/build
#   bash scripts/setup.sh --dev              also what the test suite, the VM tier and `npm run bench` call
#   bash scripts/setup.sh [--dev] --print-packages   only list the packages (one a line), install nothing
# The packages come from the tool manifest, src/host/tool-manifest.ts (one entry a line; `haco doctor`
# prints the same table). Node.js >= 20 is not installed from here: see the README.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0 print=0
for arg in "$@"; do
  case $arg in
    --dev) dev=1 ;;
    --print-packages) print=1 ;;
    -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "haco setup: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

manifest=src/host/tool-manifest.ts
# "set package" for every manifest entry apt provides (entries with `package: null` do not match).
entries=$(sed -n "s/^ *{ name: '[^']*', kind: '[^']*', package: '\([^']*\)', need: '[^']*', set: '\([a-z]*\)'.*/\2 \1/p" "$manifest")
[ -n "$entries" ] || { echo "haco setup: no packages read from $manifest (has its format changed?)" >&2; exit 1; }
packages=()
while read -r set pkg; do
  if [ "$set" = runtime ] || [ "$dev" = 1 ]; then
    case " ${packages[*]-} " in *" $pkg "*) ;; *) packages+=("$pkg") ;; esac
  fi
done <<<"$entries"

if [ "$print" = 1 ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "haco setup: missing packages: ${missing[*]} — run this script as root (or apt-get install them)" >&2
    exit 1
  fi
  echo "haco setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # A package the configured suites do not have (Debian 12's Go >= 1.21 for the conformance suite) comes
  # from the distribution's backports suite: add it once, as a deb822 source of its own.
  backports=/etc/apt/sources.list.d/haco-backports.sources
  for p in "${missing[@]}"; do
    policy=$(apt-cache policy "$p" 2>/dev/null || true)
    if ! grep -q 'Candidate: [0-9]' <<<"$policy" && [ ! -f "$backports" ]; then
      # shellcheck disable=SC1091 # the host's own file
      . /etc/os-release
      if [ "${ID:-}" = debian ] && [ -n "${VERSION_CODENAME:-}" ]; then
        echo "haco setup: $p is not in the configured suites; adding ${VERSION_CODENAME}-backports ($backports)" >&2
        printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: %s-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$VERSION_CODENAME" >"$backports"
        apt-get update -qq
      fi
    fi
  done
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "haco setup: Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "  Debian 12 and Ubuntu ship an older one; the README (\"Node.js 20 or newer\") shows how to install it." >&2
  exit 1
fi
# `npm ci` runs haco's own `prepare` script: the JS bundles, type declarations and the launcher.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm run --silent build
fi
