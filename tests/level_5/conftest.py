"""Level 5's fixtures live in tests/level5_fixtures.py (Level 6 uses them too); tests/conftest.py registers them."""

from tests.level5_fixtures import LEVEL_FOLDER, SLICE, TINY_BASE, run_level5_script  # noqa: F401  (for the tests)
