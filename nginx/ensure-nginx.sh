#!/usr/bin/env bash
# Make sure an nginx binary with the modules our configs use (ssl, secure_link, gzip) is on PATH.
# Idempotent: does nothing when nginx is already installed. Installs Debian's package as root and
# keeps the package's own service from starting (tests run their own nginx on high ports).
set -euo pipefail

if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "ensure-nginx: nginx is missing and we are not root; install it with: sudo apt-get install -y nginx" >&2
  exit 1
fi

created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  # Debian's convention for "do not start services from maintainer scripts" (exit 101).
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends nginx >/dev/null
/usr/sbin/nginx -v
