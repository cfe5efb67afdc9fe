#!/usr/bin/env bash
# Console: the emulator's web console in headless Chromium. Debian's chromium (installed through
# apt when missing; no browser download) driven by Playwright for Python from its own venv under
# target/. The tests start the built `wxcloud emulator --in-memory --port 0`, fill it, and use
# the page the way a developer would. CONSOLE_SCREENSHOTS=DIR keeps a screenshot of each panel.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
    echo "console suite: installing chromium"
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

venv="$CARGO_TARGET_DIR/console-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
# Playwright's Python package carries its driver; browsers are never downloaded (the system
# chromium is used through executable_path).
"$venv/bin/python" -m pip install --quiet "playwright>=1.49,<2" "pytest>=8"

cargo build --quiet --locked -p wxcloud-cli
export WXCLOUD_BIN="$CARGO_TARGET_DIR/debug/wxcloud" CHROMIUM="$chromium"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ -n "${CONSOLE_SCREENSHOTS:-}" ]; then mkdir -p "$CONSOLE_SCREENSHOTS"; fi

timeout 600 "$venv/bin/python" -m pytest -q -p no:cacheprovider "$root/crates/wxcloud-emulator/tests/browser"
