"""`python -m casecoder` runs the command line."""

from casecoder.cli import main

main()
