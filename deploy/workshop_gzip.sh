#!/usr/bin/env bash
# The workshop app behind nginx on one laptop: the app on 127.0.0.1:APP_PORT, nginx on
# LISTEN (default 0.0.0.0:PORT, what the phones open) serving Streamlit's frontend from
# build/frontend (deploy/frontend.py: made once per Streamlit version, about 2 minutes) and
# compressing the rest. Ctrl-C stops both. Usage: deploy/workshop_gzip.sh PYTHON PORT [LISTEN_ADDRESS]
set -euo pipefail
python=$1 port=$2 address=${3:-0.0.0.0}
app_port=$((port + 1))
deploy=$(cd "$(dirname "$0")" && pwd)
command -v nginx >/dev/null || {
    echo "nginx is not installed: sudo apt-get install nginx-light (or use make workshop)" >&2
    exit 1
}
frontend=$(dirname "$deploy")/build/frontend
"$python" -m deploy.frontend "$frontend"
dir=$(mktemp -d)
sed -e "s|@DIR@|$dir|g" -e "s|@LISTEN@|$address:$port|g" -e "s|@APP@|127.0.0.1:$app_port|g" \
    -e "s|@DEPLOY@|$deploy|g" -e "s|@FRONTEND@|$frontend|g" "$deploy/workshop-nginx.conf" \
    > "$dir/nginx.conf"
# The join QR code names nginx's port, not the app's (set JOINED_UP_WORKSHOP_URL to override).
ip=$("$python" -c "from lib.links.lan import lan_ip; print(lan_ip() or 'localhost')")
export JOINED_UP_WORKSHOP_URL=${JOINED_UP_WORKSHOP_URL:-http://$ip:$port/}
# The app believes the proxy's X-Forwarded-For, so rate limits count each phone.
JOINED_UP_BASEMAP=none JOINED_UP_TRUSTED_PROXIES=127.0.0.1 \
    "$python" -m streamlit run app.py --server.address 127.0.0.1 --server.port "$app_port" &
app=$!
trap 'kill "$app" 2>/dev/null; rm -rf "$dir"' EXIT
echo "Phones open $JOINED_UP_WORKSHOP_URL (nginx, compressed)"
nginx -c "$dir/nginx.conf"
