#!/usr/bin/env bash
# Shared by the .ci/install-*.sh scripts (sourced): apt_install WHO PACKAGE... installs Debian packages as root,
# or through `sudo -n` when not root, non-interactively; exits 1 with a clear line when neither is possible.
apt_install() {
  local who="$1"; shift
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo -n)
    else
      echo "$who: need root (or sudo) to apt-get install $*" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q "$@"
}
