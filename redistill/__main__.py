"""Command-line entry point: argv -> Config -> logging -> Server(cfg).run()."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Sequence

from redistill.config import Config, ConfigError, load_config

# Redis's log levels on top of logging's: verbose sits between debug and notice.
VERBOSE = 15
_LEVELS = {"debug": logging.DEBUG, "verbose": VERBOSE, "notice": logging.INFO, "warning": logging.WARNING}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, thread, msg (and exc when there is one)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "thread": record.threadName,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(cfg: Config) -> None:
    """Log to stderr at cfg.log_level, as text lines or JSON lines (cfg.log_format)."""
    logging.addLevelName(VERBOSE, "VERBOSE")
    logging.addLevelName(logging.INFO, "NOTICE")
    handler = logging.StreamHandler(sys.stderr)
    if cfg.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(
            "%(asctime)s.%(msecs)03d %(levelname)s %(threadName)s %(name)s: %(message)s",
            datefmt="%Y-%m-%d %H:%M:%S",
        ))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(_LEVELS[cfg.log_level])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server; returns the process exit code.  Problems print one line, never a traceback."""
    try:
        cfg = load_config(sys.argv[1:] if argv is None else argv)
    except ConfigError as e:
        print(f"redistill: {e}", file=sys.stderr)
        return 1
    except SystemExit as e:  # --help, --version
        return e.code if isinstance(e.code, int) else 0
    configure_logging(cfg)

    from redistill.server import Server  # imported late: --help and config errors need no C module

    try:
        return Server(cfg).run()
    except OSError as e:  # typically bind(): address in use, permission denied
        print(f"redistill: cannot serve on {cfg.bind}:{cfg.port}: {e.strerror or e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
