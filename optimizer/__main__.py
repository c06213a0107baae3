"""Run the command-line interface: python -m optimizer."""

from optimizer.cli import main

main()
