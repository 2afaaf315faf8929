#!/bin/sh
# The image's entrypoint: starts the app named by APP (one image for every app, see docker/Dockerfile).
# `exec` makes node PID 1 of the container, so SIGTERM reaches it (the gateway drains on it).
set -eu
cd "$(dirname "$0")/.."
case "${APP:-}" in
  gateway | barrage | moderation | gifting | cohost) ;;
  *)
    echo "APP must be one of gateway, barrage, moderation, gifting, cohost (got '${APP:-}')" >&2
    exit 64
    ;;
esac
main="dist/apps/$APP/src/main.js"
if [ ! -f "$main" ]; then
  echo "$main is missing: the image was not built with npm run build" >&2
  exit 66
fi
exec node --enable-source-maps "$main" "$@"
