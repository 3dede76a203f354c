#!/usr/bin/env bash
# Configures and (re)starts a deployment's coturn beside the relay (docs/turn.md): installs
# Debian's package if missing (install-system-deps.sh), writes its configuration with
# `relay turn-config` (the relay's TURN secret, the refused peer ranges; every argument is passed
# on to it, --realm at least, and --data when the relay's data folder is not the default), makes it
# readable by coturn's user only, and starts coturn: through systemd where it runs (allowed to bind
# port 443), else as a daemon of its own that drops to the turnserver user after binding (the
# package does not start it on install where there is no service manager). Idempotent: run it
# again after changing a setting, and coturn restarts with the new file.
#
#   sudo bash scripts/start-turn.sh --realm relay.example.org --listen 203.0.113.10 \
#     --deny-peer 203.0.113.10 --tls-port 443 --cert /etc/flxra/fullchain.pem --key /etc/flxra/key.pem
set -euo pipefail
cd "$(dirname "$0")/.."
conf=${FLXRA_TURN_CONF:-/etc/turnserver.conf}
pidfile=${FLXRA_TURN_PIDFILE:-/run/flxra-turnserver.pid}

bash scripts/install-system-deps.sh
# The file holds the secret: written 0600, then given to coturn's group to read, nobody else.
npx tsx src/relay/cli.ts turn-config --out "$conf" "$@"
chown root:turnserver "$conf"
chmod 0640 "$conf"

if [ -d /run/systemd/system ]; then
  # Debian's unit runs coturn as turnserver, which may not bind ports below 1024 (TLS on 443) without this.
  mkdir -p /etc/systemd/system/coturn.service.d
  printf '[Service]\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n' >/etc/systemd/system/coturn.service.d/flxra.conf
  systemctl daemon-reload
  systemctl enable coturn >/dev/null
  systemctl restart coturn
  echo "coturn (re)started by systemd with $conf"
  exit 0
fi

if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  kill "$(cat "$pidfile")"
  for _ in $(seq 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
fi
turnserver -c "$conf" -o --pidfile "$pidfile" --proc-user turnserver --proc-group turnserver
for _ in $(seq 50); do [ -s "$pidfile" ] && break; sleep 0.1; done
echo "coturn started as a daemon with $conf (pid $(cat "$pidfile" 2>/dev/null || echo '?'))"
