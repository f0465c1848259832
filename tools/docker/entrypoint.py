"""Container entry point: find the config, enforce protected mode's rule, then exec the server.

Inside a container every client arrives from a non-loopback address (port publishing goes through the
bridge), so a server without a password, which protected mode limits to loopback clients, would refuse
them all.  Rather than start a server nobody can use, or an open one by accident, the image stops at
once unless a password is set (REDISTILL_PASSWORD, REDISTILL_PASSWORD_FILE, or [security] in the mounted
file) or protected mode is switched off explicitly (REDISTILL_PROTECTED_MODE=no).

Config: /etc/redistill/redistill.toml when mounted (or --config FILE), then REDISTILL_* variables, then
command-line arguments (`docker run IMAGE --threads 2`), as everywhere else.
"""

import os
import sys

from redistill.config import ConfigError, load_config

CONFIG = "/etc/redistill/redistill.toml"
SERVER = os.path.join(os.path.dirname(sys.executable), "redistill")


def main() -> None:
    argv = sys.argv[1:]
    if os.path.isfile(CONFIG) and not any(a == "--config" or a.startswith("--config=") for a in argv):
        argv = ["--config", CONFIG, *argv]
    try:
        cfg = load_config(argv)
    except ConfigError:
        pass  # the server prints the one-line error and exits 1
    else:
        if cfg.password is None and cfg.protected_mode:
            sys.stderr.write(
                "redistill (docker): no password is set and protected mode is on, so no client outside the "
                "container could connect. Set REDISTILL_PASSWORD (or REDISTILL_PASSWORD_FILE, or "
                f"security.password in {CONFIG}), or opt out explicitly with REDISTILL_PROTECTED_MODE=no "
                "on a network you trust.\n")
            sys.exit(2)
    os.execv(SERVER, [SERVER, *argv])


if __name__ == "__main__":
    main()
