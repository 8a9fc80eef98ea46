"""Lets `python -m buildai` work exactly like the `buildai` command."""

from buildai.cli import main

if __name__ == "__main__":
    main()
