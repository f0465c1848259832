# Redistill image.  Build: `make docker`; test: `make docker-test` (tests/docker/run.sh).
#
#   docker run -d -p 6379:6379 -p 8080:8080 -e REDISTILL_PASSWORD=change-me redistill
#
# Protected mode: the container refuses to start without a password unless REDISTILL_PROTECTED_MODE=no
# is given (tools/docker/entrypoint.py says why).  Config: mount /etc/redistill/redistill.toml and/or
# set REDISTILL_* variables (docs/CONFIG.md); the image sets REDISTILL_BIND=0.0.0.0.

# ---- builder: compiler, headers and the venv with the compiled C core ----
FROM debian:bookworm-slim AS builder
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-venv python3-dev gcc libc6-dev ca-certificates \
      liblua5.1-0-dev lua-cjson-dev lua-bitop-dev \
 && rm -rf /var/lib/apt/lists/*
# Locally added CAs (tools/docker/ca/README.md), so pip works behind a TLS-intercepting proxy.
COPY tools/docker/ca/ /usr/local/share/ca-certificates/redistill-build/
RUN update-ca-certificates >/dev/null
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt
WORKDIR /src
COPY pyproject.toml setup.py build_ffi.py README.md LICENSE ./
COPY csrc csrc
COPY redistill redistill
COPY tools/luaflags.py tools/luaflags.py
COPY tools/docker/entrypoint.py /opt/redistill/entrypoint.py
RUN python3 -m venv /opt/redistill \
 && /opt/redistill/bin/pip install --no-cache-dir --disable-pip-version-check . \
 && /opt/redistill/bin/pip uninstall -y pip \
 && cd / && /opt/redistill/bin/python -c "import redistill._core"  # not /src: its tree has no .so

# ---- final: Debian's python3 runtime, Lua 5.1 with cjson and bitop (the core links them), the venv ----
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 \
      liblua5.1-0 lua-cjson lua-bitop \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin redistill \
 && mkdir -p /etc/redistill
COPY --from=builder /opt/redistill /opt/redistill
ENV PATH=/opt/redistill/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    REDISTILL_BIND=0.0.0.0
USER redistill
WORKDIR /tmp
EXPOSE 6379 8080
# /health answers 200 while serving and 503 once a shutdown starts; urlopen raises on both a 503
# and a refused connection, so the check fails for each.  It probes REDISTILL_HEALTH_CHECK_PORT, else
# 8080: a mounted file that moves the health port needs that variable set to the same port.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('REDISTILL_HEALTH_CHECK_PORT', '8080'), timeout=2)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/redistill/bin/python", "/opt/redistill/entrypoint.py"]
