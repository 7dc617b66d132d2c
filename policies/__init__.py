"""Tandem's policy files (escalation.yaml, store_policy.yaml), shipped as package data.

`Settings.policies_dir` points here unless a retailer's edited copy (`tandem init`) is set."""
