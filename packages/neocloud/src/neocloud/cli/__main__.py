"""``python -m neocloud.cli``."""

from .main import main

main()
