#!/usr/bin/env bash
# The kernel tests drive and check the kernel with the machine's own tools: ip (iproute2),
# nsenter/unshare/umount (util-linux), cc (gcc, for the uapi header check), and ping (iputils-ping,
# for traffic between test namespaces). Debian images of
# this project's kind have them; where one is missing, install it (root only), so a fresh
# machine runs `npm ci && npm test` unaided.
set -euo pipefail
missing=()
command -v ip >/dev/null || missing+=(iproute2)
{ command -v nsenter && command -v unshare && command -v umount; } >/dev/null || missing+=(util-linux mount)
command -v cc >/dev/null || missing+=(gcc libc6-dev)
command -v ping >/dev/null || missing+=(iputils-ping)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "rtnl tests need: ${missing[*]} (install them, or run as root on Debian to have them installed)" >&2
  exit 1
fi
echo "installing test tools: ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
