#!/bin/bash
# make docker-test: build the image and talk to containers with redis-cli.
#
# Works on a machine with no Docker set up, as root (or with sudo):
#   - installs Debian's docker.io when dockerd is missing, and debootstrap when the base image is missing;
#   - starts `dockerd --storage-driver=overlay2` in the background when no daemon answers (vfs if overlay2
#     fails), and stops it again at the end;
#   - creates debian:bookworm-slim locally when missing (debootstrap --variant=minbase bookworm, then
#     `docker import`), since there may be no registry to pull it from.
# Then: build, and check (1) no password and no opt-out -> the container refuses to start, with a message;
# (2) REDISTILL_PASSWORD -> redis-cli AUTH/SET/GET through a published port, /health, HEALTHCHECK healthy,
# non-root user, no compiler in the image; (3) a mounted /etc/redistill/redistill.toml; (4) the explicit
# REDISTILL_PROTECTED_MODE=no opt-out.  Every wait is bounded.  Exit 0 only when all pass.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
IMAGE=${IMAGE:-redistill:test}
BASE=debian:bookworm-slim
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
WORK=$(mktemp -d /tmp/redistill-docker-test.XXXXXX)
DOCKERD_PID=""
CONTAINERS=()
FAILED=0

say()  { echo "== $*"; }
fail() { echo "FAIL: $*" >&2; FAILED=1; }
die()  { echo "docker-test: $*" >&2; exit 1; }

cleanup() {
    set +e
    for c in "${CONTAINERS[@]}"; do docker rm -f "$c" >/dev/null 2>&1; done
    if [ -n "$DOCKERD_PID" ]; then
        say "stopping the dockerd this script started (pid $DOCKERD_PID)"
        $SUDO kill "$DOCKERD_PID" 2>/dev/null
        for _ in $(seq 1 60); do $SUDO kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
        $SUDO kill -9 "$DOCKERD_PID" 2>/dev/null
    fi
    $SUDO rm -rf "$WORK"
}
trap cleanup EXIT

apt_install() {
    command -v apt-get >/dev/null || die "$* missing and no apt-get to install it"
    say "installing $* (Debian)"
    $SUDO env DEBIAN_FRONTEND=noninteractive sh -c "apt-get update -qq && apt-get install -y -qq $*" >/dev/null
}

command -v redis-cli >/dev/null || apt_install redis-tools
command -v dockerd >/dev/null || [ -x /usr/sbin/dockerd ] || apt_install docker.io
DOCKERD=$(command -v dockerd || echo /usr/sbin/dockerd)

# ---- a daemon ------------------------------------------------------------------------------------
start_dockerd() {  # $1 = storage driver; returns 0 once `docker info` answers (60 s at most)
    local log="$WORK/dockerd-$1.log"
    say "starting $DOCKERD --storage-driver=$1 (log: $log)"
    $SUDO "$DOCKERD" --storage-driver="$1" --host=unix:///var/run/docker.sock \
        --pidfile="$WORK/dockerd.pid" >"$log" 2>&1 &
    DOCKERD_PID=$!
    for _ in $(seq 1 120); do
        if docker info >/dev/null 2>&1; then return 0; fi
        if ! kill -0 "$DOCKERD_PID" 2>/dev/null; then break; fi
        sleep 0.5
    done
    echo "dockerd with storage driver $1 did not come up; last lines of its log:" >&2
    tail -n 15 "$log" >&2
    $SUDO kill "$DOCKERD_PID" 2>/dev/null || true
    wait "$DOCKERD_PID" 2>/dev/null || true
    DOCKERD_PID=""
    return 1
}

if docker info >/dev/null 2>&1; then
    say "using the Docker daemon that is already running"
else
    start_dockerd overlay2 || start_dockerd vfs || die "could not start dockerd (overlay2 nor vfs); see the log lines above"
fi

# ---- the base image --------------------------------------------------------------------------------
if ! docker image inspect "$BASE" >/dev/null 2>&1; then
    if ! docker pull -q "$BASE" >/dev/null 2>&1; then
        command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || apt_install debootstrap
        say "no $BASE and no registry: debootstrap --variant=minbase bookworm (a few minutes)"
        $SUDO "$(command -v debootstrap || echo /usr/sbin/debootstrap)" --variant=minbase bookworm \
            "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
            || { tail -n 20 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
        $SUDO rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
        $SUDO tar -C "$WORK/rootfs" -c . | docker import - "$BASE" >/dev/null
        $SUDO rm -rf "$WORK/rootfs"
    fi
fi

# ---- build -------------------------------------------------------------------------------------------
say "docker build -t $IMAGE"
# --network host: the builder's apt-get and pip reach the package registries the way the host does;
# the host's locally added CAs go to the builder stage (tools/docker/ca/README.md).
cp /usr/local/share/ca-certificates/*.crt "$ROOT/tools/docker/ca/" 2>/dev/null || true
docker build --network host -t "$IMAGE" "$ROOT" >"$WORK/build.log" 2>&1 \
    || { tail -n 40 "$WORK/build.log" >&2; die "docker build failed"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

run() {  # run NAME ARGS...: a detached container named in $c, removed at exit (not in a subshell)
    c="redistill-test-$1-$$"; shift
    CONTAINERS+=("$c")
    docker run -d --name "$c" "$@" "$IMAGE" >/dev/null
}

wait_pong() {  # wait_pong PORT [redis-cli args...]: 30 s at most
    local port=$1; shift
    for _ in $(seq 1 60); do
        if [ "$(redis-cli -h 127.0.0.1 -p "$port" "$@" ping 2>/dev/null)" = PONG ]; then return 0; fi
        sleep 0.5
    done
    return 1
}

expect() {  # expect WHAT EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then echo "ok: $1"; else fail "$1: expected [$2], got [$3]"; fi
}

# (1) refused without a password or the opt-out
say "1. no password, no opt-out"
run refuse
code=$(timeout 60 docker wait "$c" || echo timeout)
expect "exit code without a password" 2 "$code"
if docker logs "$c" 2>&1 | grep -q "REDISTILL_PROTECTED_MODE=no"; then echo "ok: the message names the opt-out"
else fail "no protected-mode message: $(docker logs "$c" 2>&1 | tail -n 3)"; fi

# (2) a password through the environment
say "2. REDISTILL_PASSWORD"
P=$(free_port); H=$(free_port)
run pw -e REDISTILL_PASSWORD=s3cret -p "127.0.0.1:$P:6379" -p "127.0.0.1:$H:8080"
if wait_pong "$P" -a s3cret --no-auth-warning; then
    expect "NOAUTH without the password" "NOAUTH Authentication required." \
        "$(redis-cli -p "$P" get k 2>&1 | sed 's/^(error) //')"
    expect "SET" OK "$(redis-cli -p "$P" -a s3cret --no-auth-warning set greeting "hello docker")"
    expect "GET" "hello docker" "$(redis-cli -p "$P" -a s3cret --no-auth-warning get greeting)"
    expect "INCR" 1 "$(redis-cli -p "$P" -a s3cret --no-auth-warning incr n)"
    expect "GET /health" 200 "$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$H/health', timeout=5).status)" 2>&1)"
else
    fail "no PONG on port $P within 30 s: $(docker logs "$c" 2>&1 | tail -n 5)"
fi
expect "user in the container" 10001 "$(docker exec "$c" id -u)"
health=""
for _ in $(seq 1 60); do
    health=$(docker inspect -f '{{.State.Health.Status}}' "$c")
    [ "$health" = healthy ] && break
    sleep 1
done
expect "HEALTHCHECK status" healthy "$health"
expect "no compiler in the image" none \
    "$(docker run --rm --entrypoint sh "$IMAGE" -c 'command -v gcc cc x86_64-linux-gnu-gcc-12 || echo none')"
docker stop -t 20 "$c" >/dev/null
expect "exit code after docker stop (SIGTERM)" 0 "$(docker inspect -f '{{.State.ExitCode}}' "$c")"

# (3) a mounted config file
say "3. mounted /etc/redistill/redistill.toml"
mkdir -p "$WORK/conf"
cat >"$WORK/conf/redistill.toml" <<'TOML'
[server]
port = 7000
threads = 2

[security]
password = "from-the-file"

[memory]
max_memory = "64mb"
eviction_policy = "allkeys-lru"
TOML
chmod -R a+rX "$WORK/conf"
P=$(free_port)
run file -v "$WORK/conf/redistill.toml:/etc/redistill/redistill.toml:ro" -p "127.0.0.1:$P:7000"
if wait_pong "$P" -a from-the-file --no-auth-warning; then
    expect "CONFIG GET maxmemory from the file" "maxmemory
67108864" "$(redis-cli -p "$P" -a from-the-file --no-auth-warning config get maxmemory)"
else
    fail "no PONG with the mounted file: $(docker logs "$c" 2>&1 | tail -n 5)"
fi

# (4) the explicit opt-out
say "4. REDISTILL_PROTECTED_MODE=no"
P=$(free_port)
run open -e REDISTILL_PROTECTED_MODE=no -p "127.0.0.1:$P:6379"
if wait_pong "$P"; then
    expect "SET without a password" OK "$(redis-cli -p "$P" set k v)"
    expect "CONFIG GET protected-mode" "protected-mode
no" "$(redis-cli -p "$P" config get protected-mode)"
else
    fail "no PONG with protected mode off: $(docker logs "$c" 2>&1 | tail -n 5)"
fi

if [ "$FAILED" = 0 ]; then say "docker-test: all checks passed"; else say "docker-test: FAILED"; fi
exit "$FAILED"
