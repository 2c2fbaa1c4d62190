"""Model name -> tiktoken encoding, and loading encodings without ever touching the network.

Why not `tiktoken.encoding_for_model`: it maps `ft:gpt-4.1-...` to cl100k_base (via the
`ft:gpt-4` prefix) and raises on `ft:o4-mini-...`. We resolve fine-tuned names to their base
ourselves.

Why the pre-check: tiktoken downloads a missing (or corrupt) encoding file with `requests.get`
and no timeout, which hangs or crashes on an offline machine. Before asking tiktoken we check
that the cache file it expects (named sha1(blob URL) in the cache dir) exists and has the
sha256 tiktoken verifies; if not we raise `EncodingUnavailable` with a one-line fix.

The cache dir is tunescope's (`config.cache_dir()/"tiktoken"`) unless the user already set
`TIKTOKEN_CACHE_DIR` or `DATA_GYM_CACHE_DIR` (tiktoken's own variables).

Why the bundled copies: reviewing data on a firewalled GPU box over SSH is the main use, so the
o200k_base and cl100k_base files ship inside the package (`tokens/data/tiktoken/`, named as tiktoken's
cache names them, sha256-verified before use). They are used whenever the cache lacks a verified file,
so counts are exact out of the box; `TUNESCOPE_BUNDLED_ENCODINGS=off` turns them off (to test or to
insist on the user's own cache).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from tunescope import config


@dataclass(frozen=True)
class EncodingFile:
    """Where tiktoken fetches an encoding from and the sha256 it insists on
    (copied from tiktoken_ext/openai_public.py of tiktoken 0.14; a test checks they still match)."""

    name: str
    url: str
    sha256: str

    @property
    def cache_name(self) -> str:
        """File name tiktoken uses in its cache dir: sha1 of the blob URL."""
        return hashlib.sha1(self.url.encode()).hexdigest()


KNOWN_ENCODINGS: dict[str, EncodingFile] = {
    "o200k_base": EncodingFile(
        "o200k_base",
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    "cl100k_base": EncodingFile(
        "cl100k_base",
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
}

DEFAULT_ENCODING = "o200k_base"
BUNDLED_DIR = Path(__file__).with_name("data") / "tiktoken"

# Longest prefix wins; a prefix matches the whole base name or is followed by "-" / ".".
_O200K_PREFIXES = ("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4")
_CL100K_PREFIXES = ("gpt-4", "gpt-3.5", "gpt-35", "davinci-002", "babbage-002", "text-embedding-ada-002",
                    "text-embedding-3")


class EncodingUnavailable(RuntimeError):
    """The encoding file is missing or corrupt; the message (one line) says what to do."""

    def __init__(self, message: str, encoding: str = "", path: Path | None = None, url: str = ""):
        super().__init__(message)
        self.encoding = encoding
        self.path = path
        self.url = url


def base_model(model: str) -> str:
    """Strip fine-tune decorations: `ft:<base>:<org>:<suffix>:<id>[:ckpt-step-N]` -> `<base>`;
    legacy `<base>:ft-<org>-<date>` -> `<base>`. Other names are returned unchanged."""
    name = model.strip()
    if name.startswith("ft:"):
        parts = name.split(":")
        return parts[1] if len(parts) > 1 and parts[1] else name
    if ":ft-" in name:
        return name.split(":", 1)[0]
    return name


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or (name.startswith(prefix) and name[len(prefix)] in "-.")


def encoding_for_model(model: str, default: str | None = DEFAULT_ENCODING) -> str | None:
    """Encoding name for a model (fine-tuned names resolved to their base); `default` when unknown."""
    name = base_model(model).lower()
    best: tuple[int, str] | None = None
    for enc, prefixes in (("o200k_base", _O200K_PREFIXES), ("cl100k_base", _CL100K_PREFIXES)):
        for prefix in prefixes:
            if _matches(name, prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), enc)
    return best[1] if best else default


def ensure_cache_env() -> Path:
    """Point tiktoken at tunescope's cache dir unless the user chose one; return the dir in use."""
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if var in os.environ:
            return Path(os.environ[var])
    path = config.cache_dir() / "tiktoken"
    os.environ["TIKTOKEN_CACHE_DIR"] = str(path)
    return path


def cache_dir_in_use() -> tuple[Path, str]:
    """(directory, where it came from) without changing anything."""
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if var in os.environ:
            return Path(os.environ[var]), f"${var}"
    return config.cache_dir() / "tiktoken", "tunescope cache dir"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _known(name: str) -> EncodingFile:
    info = KNOWN_ENCODINGS.get(name)
    if info is None:
        raise EncodingUnavailable(
            f"unknown encoding {name!r}; tunescope supports {', '.join(KNOWN_ENCODINGS)}", encoding=name)
    return info


def _adopt_from_tiktoken_default(info: EncodingFile, target: Path) -> bool:
    """tiktoken's own default cache ($TMP/data-gym-cache) may already hold a verified copy."""
    candidate = Path(tempfile.gettempdir()) / "data-gym-cache" / info.cache_name
    try:
        if candidate.is_file() and candidate.resolve() != target.resolve() and sha256_file(candidate) == info.sha256:
            install_file(candidate, info, target.parent)
            return True
    except OSError:
        return False
    return False


def check_available(name: str) -> Path:
    """Return the verified cache file of encoding `name`, or raise EncodingUnavailable."""
    info = _known(name)
    directory = ensure_cache_env()
    path = directory / info.cache_name
    hint = (f"download {info.url} on a machine with internet access, then run "
            f"`tunescope encodings import PATH` (or use --allow-estimate for estimated counts)")
    if str(directory) == "":
        raise EncodingUnavailable(
            f"encoding {name} unavailable: TIKTOKEN_CACHE_DIR is empty (caching disabled); unset it and {hint}",
            encoding=name, path=None, url=info.url)
    ours = directory == config.cache_dir() / "tiktoken"   # the user chose no cache dir of their own
    if not path.is_file() and not (ours and _adopt_from_tiktoken_default(info, path)):
        raise EncodingUnavailable(f"encoding {name} unavailable: missing file {path}; {hint}",
                                  encoding=name, path=path, url=info.url)
    try:
        actual = sha256_file(path)
    except OSError as exc:
        raise EncodingUnavailable(f"encoding {name} unavailable: cannot read {path} ({exc.strerror}); {hint}",
                                  encoding=name, path=path, url=info.url) from exc
    if actual != info.sha256:
        raise EncodingUnavailable(
            f"encoding {name} unavailable: {path} is corrupt (sha256 {actual[:12]}…, expected "
            f"{info.sha256[:12]}…); delete it, {hint}", encoding=name, path=path, url=info.url)
    return path


def bundled_file(name: str) -> Path | None:
    """The verified copy of encoding `name` shipped with tunescope, or None (absent, corrupt, or turned off)."""
    if os.environ.get("TUNESCOPE_BUNDLED_ENCODINGS", "").lower() in ("0", "off", "no", "false"):
        return None
    info = KNOWN_ENCODINGS.get(name)
    path = BUNDLED_DIR / info.cache_name if info else None
    try:
        return path if path is not None and path.is_file() and sha256_file(path) == info.sha256 else None
    except OSError:
        return None


_LOADED: dict[str, object] = {}
_LOCK = threading.Lock()


def get_encoding(name: str):
    """The tiktoken Encoding `name`, loaded once per process; never downloads: from tiktoken's cache,
    or else from the copy bundled with tunescope."""
    enc = _LOADED.get(name)
    if enc is not None:
        return enc
    with _LOCK:
        enc = _LOADED.get(name)
        if enc is None:
            try:
                check_available(name)
                cache = None
            except EncodingUnavailable:
                if bundled_file(name) is None:
                    raise
                cache = BUNDLED_DIR
            enc = _load(name, cache)
            _drop_python_ranks(enc)
            _LOADED[name] = enc
    return enc


def _load(name: str, cache: Path | None):
    """tiktoken's Encoding; with `cache`, tiktoken reads its cache there (only reads: the file is verified),
    the user's TIKTOKEN_CACHE_DIR restored afterwards. Callers hold _LOCK, the only way tunescope loads one.

    The vocabulary is kept in tunescope's cache dir as marshal data too (RANKS_DIR, named by the sha256 of the
    verified source file and tiktoken's version, with a digest of its own): tiktoken base64-decodes 200,000
    lines on each load (~0.2 s), marshal reads the same dict in a third of that. A re-check after small
    edits loads the encoding once, and that load was a large part of its time."""
    import tiktoken   # heavy (~0.1 s): only when counting starts

    params = _cached_params(name, tiktoken.__version__)
    if params is None:
        params = _constructor_params(name, cache)
        _store_params(name, tiktoken.__version__, params)
    return tiktoken.Encoding(**params)


def _constructor_params(name: str, cache: Path | None) -> dict:
    """The Encoding's arguments from tiktoken's own constructor (tiktoken_ext's ENCODING_CONSTRUCTORS,
    its plugin interface), reading the verified file from `cache` (else the cache dir in use)."""
    from tiktoken_ext.openai_public import ENCODING_CONSTRUCTORS

    if cache is None:
        return ENCODING_CONSTRUCTORS[name]()
    before = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    try:
        return ENCODING_CONSTRUCTORS[name]()
    finally:
        if before is None:
            os.environ.pop("TIKTOKEN_CACHE_DIR", None)
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = before


RANKS_DIR = "tiktoken-ranks"          # under config.cache_dir()


def _ranks_path(name: str, version: str) -> Path:
    return config.cache_dir() / RANKS_DIR / f"{name}-{_known(name).sha256[:16]}-tiktoken-{version}.marshal"


def _cached_params(name: str, version: str) -> dict | None:
    """The Encoding's arguments kept by `_store_params`, if present and intact (else None: rebuild)."""
    try:
        data = _ranks_path(name, version).read_bytes()
    except (OSError, EncodingUnavailable):
        return None
    digest, payload = data[:32], data[32:]
    if hashlib.blake2b(payload, digest_size=32).digest() != digest:
        return None
    try:
        params = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    return params if isinstance(params, dict) and params.get("name") == name else None


def _store_params(name: str, version: str, params: dict) -> None:
    """Keep the Encoding's arguments for the next process (atomically; a failure only costs speed)."""
    try:
        payload = marshal.dumps(params)
        path = _ranks_path(name, version)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as out:
            out.write(hashlib.blake2b(payload, digest_size=32).digest() + payload)
        os.replace(tmp, path)
    except (OSError, ValueError):
        return
def _drop_python_ranks(enc) -> None:
    """Free the Python copy of the BPE ranks (~27 MB for o200k_base): tiktoken encodes and decodes with
    its Rust copy and keeps this dict only to pickle the Encoding, which tunescope never does (a worker
    process loads its own encoding, or shares its parent's when forked)."""
    ranks = getattr(enc, "_mergeable_ranks", None)
    if isinstance(ranks, dict) and ranks:
        enc._mergeable_ranks = {}


def clear_loaded() -> None:
    """Forget loaded encodings (tests; after an import)."""
    with _LOCK:
        _LOADED.clear()


def detect_encoding_file(path: Path) -> tuple[EncodingFile | None, str]:
    """(matching known encoding or None, sha256 of the file)."""
    digest = sha256_file(path)
    for info in KNOWN_ENCODINGS.values():
        if info.sha256 == digest:
            return info, digest
    return None, digest


def install_file(source: Path, info: EncodingFile, directory: Path | None = None) -> Path:
    """Copy a verified encoding file atomically into the cache dir under tiktoken's name."""
    directory = directory if directory is not None else ensure_cache_env()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / info.cache_name
    fd, tmp = tempfile.mkstemp(prefix=f".{info.cache_name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            for block in iter(lambda: src.read(1 << 20), b""):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if sha256_file(Path(tmp)) != info.sha256:
            raise EncodingUnavailable(f"copy of {source} to {directory} did not verify; disk full or failing?",
                                      encoding=info.name, path=target, url=info.url)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


def status() -> list[dict]:
    """One row per known encoding: name, cache file, present, verified."""
    directory, _origin = cache_dir_in_use()
    rows = []
    for info in KNOWN_ENCODINGS.values():
        path = directory / info.cache_name
        present = path.is_file()
        verified = False
        if present:
            try:
                verified = sha256_file(path) == info.sha256
            except OSError:
                verified = False
        rows.append({"name": info.name, "path": str(path), "present": present, "verified": verified,
                     "bundled": bundled_file(info.name) is not None, "url": info.url, "sha256": info.sha256})
    return rows
