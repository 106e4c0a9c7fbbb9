"""The fault matrix's size: every fault kind with every point of both providers.

The matrix is in tests/fault_cases.py; its cells are tested in the other
tests/test_fault_matrix_*.py files.
"""

from __future__ import annotations

import pytest

from tests.fault_cases import CELLS, FAULTS, PHASES, POINTS, PROVIDERS

# The matrix's size -----------------------------------------------------------------


async def test_the_matrix_crosses_every_fault_with_every_point_of_both_providers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """10 faults x 15 Elibom points and x 9 Aldeamo points, each cell one test case."""
    cells = [tuple(param.values) for phase in PHASES for param in CELLS[phase]]
    per_provider = {
        provider: sum(1 for point, _ in cells if point.provider == provider)
        for provider in PROVIDERS
    }
    points = {
        provider: sum(1 for point in POINTS if point.provider == provider)
        for provider in PROVIDERS
    }

    assert len(set(cells)) == len(cells)
    assert {(point, failure) for point in POINTS for failure in FAULTS} == set(cells)
    assert len(FAULTS) == 10
    assert points == {"elibom": 15, "aldeamo": 9}
    assert per_provider == {"elibom": 150, "aldeamo": 90}
    assert len(cells) == 240
    with capsys.disabled():
        print(  # noqa: T201
            f"\nfault matrix: {len(FAULTS)} faults x {points['elibom']} Elibom points"
            f" = {per_provider['elibom']}, x {points['aldeamo']} Aldeamo points"
            f" = {per_provider['aldeamo']}; {len(cells)} combinations in all"
        )
