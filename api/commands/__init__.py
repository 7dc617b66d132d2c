"""Sub-commands of `tandem`, one module each; `api/cli.py` registers them."""
