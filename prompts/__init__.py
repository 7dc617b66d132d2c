"""Tandem's Jinja2 prompt and reply templates, shipped as package data (never Python strings).

`Settings.prompts_dir` points here unless a retailer's edited copy (`tandem init`) is set."""
