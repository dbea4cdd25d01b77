#!/usr/bin/env bash
# Installs what the discord.py compatibility test (server/src/test/.../DiscordPyCompatibilityTest,
# server/src/test/resources/discordpy/smoke.py) needs from outside the build: Debian's python3-discord
# (discord.py 2.x, with aiohttp), which lives in /usr/lib/python3/dist-packages for /usr/bin/python3.
# Idempotent: does nothing when /usr/bin/python3 already imports discord.
set -euo pipefail

has_discord() {
  [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import discord' >/dev/null 2>&1
}

if has_discord; then
  echo "install-python-discord: discord.py $(/usr/bin/python3 -c 'import discord; print(discord.__version__)') already installed"
  exit 0
fi

# shellcheck source=apt-install.sh
. "$(dirname "$0")/apt-install.sh"
echo "install-python-discord: apt-get install python3-discord (Debian's discord.py)"
apt_install install-python-discord python3-discord
if ! has_discord; then
  echo "install-python-discord: python3-discord was installed but /usr/bin/python3 cannot import discord" >&2
  exit 1
fi
echo "install-python-discord: discord.py $(/usr/bin/python3 -c 'import discord; print(discord.__version__)') installed"
