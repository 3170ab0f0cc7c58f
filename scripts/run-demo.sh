#!/usr/bin/env bash
# `make run`: the server with the demo province, and the apps where a screen is available.
# Stops everything it started on Ctrl+C.
set -euo pipefail
HOST=${HOST:-127.0.0.1}; PORT=${PORT:-8000}
BASE="http://$HOST:$PORT"
MOTCUA=".venv/bin/motcua"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$MOTCUA" server --host "$HOST" --port "$PORT" &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fs "$BASE/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.2
done

has() { "$MOTCUA" 2>/dev/null | grep -qE "^  $1 "; }
cat <<MSG

motcua is running on $BASE
  API docs:         $BASE/docs          OpenAPI: $BASE/openapi.json
  Citizen page:     $BASE/t/<tracking token>   (printed as a QR code on every ticket)
  Dossier lookup:   $BASE/d/<dossier code>     (the receipt slip's QR code; asks for the slip's PIN)
  Online booking:   $BASE/book          (then "Tôi đã đặt lịch / I have a booking" at the kiosk)
  Manager web:      $BASE/manager       (quanly / motcua-demo)
  Lobby web display $BASE/display/HUE-TT?token=mcd_demo-display-hue-tt   (demo shortcut: swapped at once for a cookie;
                    a real TV is paired by a one-time link: motcua device pair-display DEVICE_ID)
  Agency inbox:     $BASE/agency        (stp.canbo / motcua-demo)   Control room: $BASE/manager/control
  Kiosk menu editor $BASE/manager/sites/HUE-TT/menu
  Take a ticket:    curl -X POST -H 'Authorization: Bearer mcd_demo-kiosk-hue-tt' -H 'Content-Type: application/json' \\
                      -d '{"procedure_code": "1.001193"}' $BASE/api/v1/tickets
MSG

apps=(
  "display|$MOTCUA display --site HUE-TT --server $BASE --token mcd_demo-display-hue-tt"
  "kiosk|env MOTCUA_KIOSK_SERVER_URL=$BASE MOTCUA_KIOSK_DEVICE_TOKEN=mcd_demo-kiosk-hue-tt MOTCUA_KIOSK_SITE_CODE=HUE-TT MOTCUA_KIOSK_PRINTER=file:var/kiosk-tickets.bin $MOTCUA kiosk"
  "counter|env MOTCUA_COUNTER_SERVER_URL=$BASE MOTCUA_COUNTER_SITE_CODE=HUE-TT $MOTCUA counter"
)
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo ""
  for entry in "${apps[@]}"; do
    name=${entry%%|*}; cmd=${entry#*|}
    if has "$name"; then echo "  opening the $name: $cmd"; $cmd & pids+=($!); fi
  done
else
  echo ""
  echo "No screen here (DISPLAY is not set), so the apps are not opened. On a machine with a screen, start each with:"
  for entry in "${apps[@]}"; do
    name=${entry%%|*}; cmd=${entry#*|}
    has "$name" && echo "  $name:  $cmd"
  done
fi
echo ""
echo "Ctrl+C stops everything."
wait "${pids[0]}"
