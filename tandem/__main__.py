"""`python -m tandem ...`: the same command as `tandem ...`."""

from tandem.cli import main

main()
