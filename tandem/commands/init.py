"""`tandem init DIR`: editable copies of the prompts and policies a retailer customises.

The packaged files stay the defaults; the copies are what `TANDEM_PROMPTS_DIR` and
`TANDEM_POLICIES_DIR` point at, written to DIR/.env so `tandem serve` run in DIR uses them.
An invalid edit is refused at start-up with the file, the line and the reason.

The .env also gets a random `TANDEM_SECRET_KEY` and `TANDEM_CUSTOMER_TOKEN_SECRET` unless it
sets them already (a re-run keeps them): outside development Tandem refuses the default
secrets, and a folder made by `init` should serve as it is.  The storefront needs the
customer token secret too; the file is readable by its owner only.
"""

from __future__ import annotations

import secrets
import shutil
from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer

# Folder -> (files copied, relative to it; the setting that points at the copies).
FOLDERS = {"prompts": (("*.j2", "translations/*.yaml"), "TANDEM_PROMPTS_DIR"),
           "policies": (("*.yaml",), "TANDEM_POLICIES_DIR")}
SECRETS = ("TANDEM_SECRET_KEY", "TANDEM_CUSTOMER_TOKEN_SECRET")


def init(directory: Annotated[Path, typer.Argument(
             metavar="DIR", help="Folder for the editable copies (created if missing)")],
         force: Annotated[bool, typer.Option(
             help="Overwrite files that are already there")] = False) -> None:
    """Write editable copies of the prompts and policies, and a .env that points at them."""
    directory = directory.resolve()
    env_lines: list[str] = []
    for folder, (patterns, variable) in FOLDERS.items():
        target = directory / folder
        target.mkdir(parents=True, exist_ok=True)
        source = Path(str(files(folder)))
        for path in sorted(p for pattern in patterns for p in source.glob(pattern)):
            copy = target / path.relative_to(source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            if copy.exists() and not force:
                typer.echo(f"kept {copy} (already there; --force overwrites)")
                continue
            shutil.copyfile(path, copy)
            typer.echo(f"wrote {copy}")
        env_lines.append(f"{variable}={target}")
    env = directory / ".env"
    kept = [line for line in (env.read_text(encoding="utf-8").splitlines() if env.exists()
                              else [])
            if not line.startswith(tuple(f"{v}=" for _, v in FOLDERS.values()))]
    present = {line.split("=", 1)[0].strip() for line in kept}
    fresh = [f"{name}={secrets.token_urlsafe(32)}" for name in SECRETS if name not in present]
    env.write_text("\n".join([*kept, *env_lines, *fresh]) + "\n", encoding="utf-8")
    env.chmod(0o600)  # it holds secrets
    if fresh:
        typer.echo(f"wrote random {' and '.join(line.split('=')[0] for line in fresh)} to "
                   f"{env} (give the storefront the customer token secret)")
    typer.echo(f"wrote {env}: run `tandem serve` in {directory}, or export "
               + " and ".join(env_lines))
