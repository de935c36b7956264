"""``python -m conduct_scan``: the same as the ``conduct-scan`` command."""

from conduct_scan.cli import main

main()
