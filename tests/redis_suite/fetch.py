"""Fetch Redis's own test suite from Debian's redis source package and cache it, patched.

Debian's `redis` source package (the same 7.0.15 as the redis-server the differential tests use) carries
Redis's tests/ and runtest.  On a fresh Debian machine this adds deb-src entries mirroring the existing deb
ones (when missing), runs `apt-get update` and `apt-get source --download-only redis=<installed version>`,
unpacks the upstream tarball, applies Debian's patch series (security fixes that also touch tests/) and then
ours (tests/redis_suite/patches/*.patch, made against the result), and caches the tree in
~/.cache/redistill/redis-suite-7.0.15.  The cache is rebuilt when our patches change (a stamp records their
hashes).  apt-get installs tcl when no tclsh is found.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

REDIS_VERSION = "7.0.15"
HERE = Path(__file__).resolve().parent
OUR_PATCHES = sorted((HERE / "patches").glob("*.patch"))
DEB_SRC_FILE = Path("/etc/apt/sources.list.d/redistill-deb-src.sources")
TCLSH_NAMES = ("tclsh8.6", "tclsh8.7", "tclsh8.5", "tclsh")


class SuiteUnavailable(RuntimeError):
    """The suite cannot be fetched here (no apt-get): callers skip rather than fail."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    d = Path(os.environ.get("REDISTILL_SUITE_CACHE") or Path(base) / "redistill")
    d.mkdir(parents=True, exist_ok=True)
    return d


def _sudo() -> list[str]:
    return [] if os.geteuid() == 0 or not shutil.which("sudo") else ["sudo"]


def _run(argv: list[str], log, cwd: Path | None = None, env_extra: dict | None = None) -> None:
    log("$ " + " ".join(argv))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive", **(env_extra or {}))
    subprocess.run(argv, cwd=cwd, env=env, check=True, timeout=900)


def find_tclsh(log=print, install: bool = True) -> str:
    for name in TCLSH_NAMES:
        path = shutil.which(name)
        if path:
            return path
    if not install or not shutil.which("apt-get"):
        raise SuiteUnavailable("no tclsh found and no apt-get to install tcl")
    _run(_sudo() + ["apt-get", "update", "-qq"], log)
    _run(_sudo() + ["apt-get", "install", "-y", "-qq", "tcl"], log)
    return find_tclsh(log, install=False)


def _stanzas(text: str) -> list[dict[str, str]]:
    """deb822 stanzas of an apt .sources file (comments dropped)."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith("#") or ":" not in line or line[:1].isspace():
                continue
            k, v = line.split(":", 1)
            fields[k.strip().lower()] = v.strip()
        if fields:
            out.append(fields)
    return out


def _apt_sources() -> tuple[set, set, list[dict[str, str]]]:
    """(deb, deb-src) as sets of (uri, suite), and the deb stanzas, from every apt source file."""
    deb, src, deb_stanzas = set(), set(), []
    files = [Path("/etc/apt/sources.list")] + sorted(Path("/etc/apt/sources.list.d").glob("*"))
    for f in files:
        if not f.is_file():
            continue
        text = f.read_text(errors="replace")
        if f.suffix == ".sources":
            for st in _stanzas(text):
                if st.get("enabled", "yes").lower() == "no":
                    continue
                types = st.get("types", "").split()
                pairs = {(u.rstrip("/"), s) for u in st.get("uris", "").split() for s in st.get("suites", "").split()}
                if "deb" in types:
                    deb |= pairs
                    deb_stanzas.append(st)
                if "deb-src" in types:
                    src |= pairs
        elif f.suffix == ".list" or f.name == "sources.list":
            for line in text.splitlines():
                words = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()
                if len(words) >= 3 and words[0] in ("deb", "deb-src"):
                    (deb if words[0] == "deb" else src).add((words[1].rstrip("/"), words[2]))
    return deb, src, deb_stanzas


def ensure_deb_src(log=print) -> bool:
    """Adds deb-src stanzas for every deb (uri, suite) that has none; True when it added any."""
    deb, src, deb_stanzas = _apt_sources()
    missing = deb - src
    if not missing:
        return False
    blocks = []
    for st in deb_stanzas:
        uris = [u for u in st.get("uris", "").split()]
        suites = [s for s in st.get("suites", "").split() if any((u.rstrip("/"), s) in missing for u in uris)]
        if not suites:
            continue
        lines = ["Types: deb-src", f"URIs: {' '.join(uris)}", f"Suites: {' '.join(suites)}",
                 f"Components: {st.get('components', 'main')}"]
        if "signed-by" in st:
            lines.append(f"Signed-By: {st['signed-by']}")
        blocks.append("\n".join(lines))
    for uri, suite in sorted(missing):  # one-line style sources
        if not any(uri in b and suite in b for b in blocks):
            blocks.append(f"Types: deb-src\nURIs: {uri}\nSuites: {suite}\nComponents: main")
    text = "# Added by Redistill's tests/redis_suite/fetch.py: Redis's test suite comes from Debian's source.\n"
    text += "\n\n".join(blocks) + "\n"
    log(f"adding deb-src entries to {DEB_SRC_FILE}")
    tmp = Path(tempfile.mkstemp(prefix="redistill-deb-src-")[1])
    tmp.write_text(text)
    _run(_sudo() + ["install", "-m", "0644", str(tmp), str(DEB_SRC_FILE)], log)
    tmp.unlink()
    return True


def _installed_redis_version() -> str | None:
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "redis-server"], capture_output=True,
                             text=True, timeout=30)
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def _source_files(d: Path) -> tuple[Path, Path] | None:
    origs = sorted(d.glob(f"redis_{REDIS_VERSION}.orig.tar.*"))
    debs = sorted(d.glob(f"redis_{REDIS_VERSION}-*.debian.tar.*"))
    return (origs[0], debs[-1]) if origs and debs else None


def download_source(d: Path, log=print) -> tuple[Path, Path]:
    """Debian's redis source (orig + debian tarballs) in d, downloaded unless already there."""
    d.mkdir(parents=True, exist_ok=True)
    found = _source_files(d)
    if found:
        return found
    if not shutil.which("apt-get"):
        raise SuiteUnavailable("Redis's test suite comes from Debian's redis source package; no apt-get here")
    if ensure_deb_src(log) or not list(Path("/var/lib/apt/lists").glob("*_source_Sources*")):
        _run(_sudo() + ["apt-get", "update", "-qq"], log)
    version = _installed_redis_version()
    # The same Debian revision as the installed redis-server when the archive still has it.
    for spec in ([f"redis={version}"] if version else []) + ["redis"]:
        try:
            _run(["apt-get", "source", "--download-only", "-qq", spec], log, cwd=d)
            break
        except subprocess.CalledProcessError:
            log(f"apt-get source {spec} failed")
    found = _source_files(d)
    if not found:
        raise RuntimeError(f"apt-get source did not give redis {REDIS_VERSION} in {d}: {os.listdir(d)}")
    return found


def _apply(patch: Path, tree: Path, log) -> None:
    _run(["patch", "-p1", "-s", "-N", "--no-backup-if-mismatch", "-i", str(patch)], log, cwd=tree)


def _stamp(deb_tar: Path) -> str:
    h = hashlib.sha256()
    for p in OUR_PATCHES:
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return f"{deb_tar.name} ours:{h.hexdigest()}\n"


@contextlib.contextmanager
def _locked(path: Path):
    with open(path, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def ensure_suite(log=print) -> Path:
    """The patched suite tree (with tests/ and runtest), fetched and built once, then cached."""
    cache = cache_dir()
    dest = cache / f"redis-suite-{REDIS_VERSION}"
    with _locked(cache / "redis-suite.lock"):
        orig, deb = download_source(cache / "redis-suite-src", log)
        stamp = _stamp(deb)
        if (dest / ".redistill-stamp").is_file() and (dest / ".redistill-stamp").read_text() == stamp:
            return dest
        if not shutil.which("patch"):
            raise SuiteUnavailable("the `patch` program is missing (apt-get install patch)")
        work = Path(tempfile.mkdtemp(prefix="redis-suite-build-", dir=cache))
        try:
            _run(["tar", "-xf", str(orig), "-C", str(work)], log)
            tree = work / f"redis-{REDIS_VERSION}"
            _run(["tar", "-xf", str(deb), "-C", str(tree)], log)
            series = tree / "debian" / "patches" / "series"
            for name in series.read_text().split("\n"):
                name = name.split("#", 1)[0].strip()
                if name:
                    _apply(tree / "debian" / "patches" / name, tree, log)
            for p in OUR_PATCHES:
                _apply(p, tree, log)
            (tree / ".redistill-stamp").write_text(stamp)
            shutil.rmtree(dest, ignore_errors=True)
            tree.rename(dest)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        log(f"Redis's test suite is ready in {dest}")
    return dest
