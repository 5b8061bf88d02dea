"""Allow ``python -m perimeter``."""

from perimeter.cli import main

main()
