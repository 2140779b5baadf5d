#!/usr/bin/env bash
# The whole test suite, as `npm test` runs it (and CI through .ci/run):
#   1. type check (src, tests, examples, templates); import boundaries of src/ (.dependency-cruiser.cjs); lint
#      (eslint.config.mjs: typescript-eslint, type-aware)
#   2. the native launcher's own tests: cppcheck, unit tests, then (root) the normal and ASan/UBSan builds
#   3. jest `unit` project (no privileges)
#   4. jest `root` project: real containers, checked against what the kernel shows (root), including the
#      slow tier (debootstrap, lxc debian, the cgroup v2 VM)
# Ends with one line "N passed, N failed, N skipped" over everything.
set -uo pipefail
cd "$(dirname "$0")/.."
unset NODE_EXTRA_CA_CERTS
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
failed_steps=()

step() { printf '\n\033[1m== %s\033[0m\n' "$1" >&2; }

step "host tools"
# Everything the suite runs is in the tool manifest; say up front what is missing instead of failing
# test by test (or, worse, skipping).
missing_pkgs=()
while read -r p; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing_pkgs+=("$p")
done < <(bash scripts/setup.sh --dev --print-packages)
if [ "${#missing_pkgs[@]}" -gt 0 ]; then
  echo "missing packages: ${missing_pkgs[*]} — run: bash scripts/setup.sh --dev" >&2
  failed_steps+=(host-tools)
else
  echo "every tool of the manifest is installed" >&2
fi

step "type check"
if ! node node_modules/typescript/bin/tsc -p tsconfig.json --noEmit; then failed_steps+=(typecheck); fi

step "import boundaries (dependency-cruiser)"
# No import cycles between modules or folders, and the layers of .dependency-cruiser.cjs (plan at the
# bottom, the CLI on top). `npm run deps` runs the same check.
if ! node node_modules/dependency-cruiser/bin/dependency-cruise.mjs src --config .dependency-cruiser.cjs --output-type err; then failed_steps+=(deps); fi

step "lint"
if ! node node_modules/eslint/bin/eslint.js .; then failed_steps+=(lint); fi

native_pass=0 native_fail=0
if [ -f native/Makefile ]; then
  step "native launcher tests (cppcheck, unit tests on a fake kernel, normal + ASan/UBSan)"
  # Without root: cppcheck and the unit tests (no containers); `make test` runs them too, then the rest.
  native_target=test
  if [ "$(id -u)" -ne 0 ]; then
    echo "SKIPPED: the native root tests start real containers and need root (run: sudo npm test)" >&2
    native_target="lint unit"
  fi
  # shellcheck disable=SC2086 # two targets without root
  make -C native --no-print-directory $native_target 2>&1 | tee "$results/native.log"
  status=${PIPESTATUS[0]}
  while read -r p f; do native_pass=$((native_pass + p)); native_fail=$((native_fail + f)); done \
    < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$results/native.log" | awk '{print $1, $3}')
  if [ "$status" -ne 0 ]; then failed_steps+=(native); [ "$native_fail" -eq 0 ] && native_fail=1; fi
fi

step "jest: unit"
node node_modules/jest/bin/jest.js --selectProjects unit --json --outputFile="$results/unit.json" || failed_steps+=(unit)

step "jest: root (real containers)"
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIPPED: the root project starts real containers and needs root (run: sudo npm test)" >&2
  [ "${CI:-}" = "true" ] && failed_steps+=(root-not-root)
else
  node node_modules/jest/bin/jest.js --selectProjects root --runInBand --json --outputFile="$results/root.json" || failed_steps+=(root)
fi

node -e '
  const fs = require("fs");
  let passed = Number(process.argv[1]), failed = Number(process.argv[2]), skipped = 0;
  for (const f of ["unit.json", "root.json"]) {
    const p = process.argv[3] + "/" + f;
    if (!fs.existsSync(p)) continue;
    const r = JSON.parse(fs.readFileSync(p, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  // In CI everything that can run here must run: a skipped test there hides a missing install step.
  if (process.env.CI === "true" && skipped > 0) { console.error(`CI: ${skipped} test(s) skipped`); process.exit(1); }
' "$native_pass" "$native_fail" "$results" || failed_steps+=(skipped-in-ci)

if [ "${#failed_steps[@]}" -gt 0 ]; then
  echo "failed: ${failed_steps[*]}" >&2
  exit 1
fi
