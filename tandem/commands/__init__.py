"""Sub-commands of `tandem`, one module each; `tandem/cli.py` registers them."""
