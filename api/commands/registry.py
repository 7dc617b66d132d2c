"""Imports every sub-command module so its commands register on the `tandem` app."""

from __future__ import annotations
