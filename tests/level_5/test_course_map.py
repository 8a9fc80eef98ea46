"""Level 5 in the course map: every step is there, and the tour's flags are ones each script accepts."""

from __future__ import annotations

import importlib

from buildai.catalog import level_by_number


def test_every_step_exists_and_its_tour_flags_parse():
    level = level_by_number(5)
    assert [step.id for step in level.steps] == ["5.0", "5.1", "5.2", "5.3", "5.4"]
    for step in level.steps:
        assert step.path(level).is_file()
        module = importlib.import_module(f"{level.folder}.{step.script.removesuffix('.py')}")
        if step.tour_args is not None and hasattr(module, "build_parser"):
            module.build_parser().parse_args([*step.tour_args, "--seed", "1"])  # no SystemExit
    tour = {step.id: step.tour_args for step in level.steps}
    assert "local" in tour["5.1"] and "local" in tour["5.2"]  # the tour never needs the internet
