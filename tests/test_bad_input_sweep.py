"""The sweep of bad input itself: how many inputs it tries across every action and flow.

The values tried and the surfaces they are tried on are in tests/bad_input_cases.py;
the tests that try them are the other tests/test_bad_input_*.py files.
"""

from __future__ import annotations

from tests.bad_input_cases import CASES, SURFACES, channel_sweep, sweep


def test_the_sweep_tries_920_inputs_across_every_action_and_flow() -> None:
    """Every field of every surface gets every case: the "inputs tried" figure."""
    per_surface = {
        surface: sum(len(sweep("x")) for _ in fields)
        for surface, fields in SURFACES.items()
    }
    total = sum(per_surface.values())
    lines = [f"{count:4d}  {surface}" for surface, count in per_surface.items()]
    print("\n".join(["inputs tried:", *lines, f"{total:4d}  in all"]))  # noqa: T201

    assert len(CASES) == 20
    assert len(channel_sweep()) == len(CASES)
    assert sum(len(fields) for fields in SURFACES.values()) == 46
    assert total == 920
