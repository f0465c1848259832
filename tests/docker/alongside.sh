#!/bin/bash
# tests/docker/alongside.sh CMD...: run CMD (the pytest suites) while `make docker-test` (run.sh) runs in
# the background, then wait for both; exit non-zero when either failed.
#
# Why in parallel: the Docker test spends its minutes waiting on debootstrap's and apt's downloads, so
# running it beside the suites keeps `make test` near its old wall time on a 2-core CI machine.
# DOCKER_TEST=0 skips it (a developer machine without root or sudo).  Every wait is bounded and the
# background job is stopped when this script ends early (Ctrl-C, a failed suite).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LOG="$ROOT/.docker-test.log"   # not under build/: the sanitizer build clears that folder
LIMIT=${DOCKER_TEST_TIMEOUT:-1500}   # seconds for the whole Docker test (build included)
PGID=""

stop_docker_test() {
    [ -n "$PGID" ] || return 0
    kill -TERM -- "-$PGID" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 -- "-$PGID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$PGID" 2>/dev/null
    PGID=""
}
trap stop_docker_test EXIT
trap 'exit 130' INT TERM

if [ "${DOCKER_TEST:-1}" = 0 ]; then
    echo "== Docker test skipped (DOCKER_TEST=0)"
    "$@"
    exit $?
fi

echo "== Docker test (make docker-test) started in the background; log: .docker-test.log"
# setsid: its own process group, so stop_docker_test reaches dockerd's children and the build too;
# run.sh's own EXIT trap stops the dockerd it started.
setsid timeout --signal=TERM --kill-after=30 "$LIMIT" \
    env IMAGE="${DOCKER_IMAGE:-redistill:test}" "$ROOT/tests/docker/run.sh" >"$LOG" 2>&1 &
PID=$!
PGID=$PID

"$@"
suites=$?

echo "== waiting for the Docker test (at most ${LIMIT} s from its start)"
wait "$PID"
docker_rc=$?
PGID=""
if [ "$docker_rc" = 0 ]; then
    grep -E '^(ok|==)' "$LOG" | tail -n 25
else
    echo "== Docker test FAILED (exit $docker_rc); last lines of .docker-test.log:"
    tail -n 60 "$LOG"
fi

[ "$suites" = 0 ] && [ "$docker_rc" = 0 ]
