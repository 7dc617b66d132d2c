"""Logging for the `tandem` commands: redacted, one format."""

from __future__ import annotations

import logging

from agent.privacy.redact import install_log_redaction


def configure_logging(*, verbose: bool) -> None:
    install_log_redaction()  # no email, phone, card or address reaches a log line
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
