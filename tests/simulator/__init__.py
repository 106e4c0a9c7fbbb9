"""A stateful simulator of the Elibom and Aldeamo APIs, for tests, development and benchmarks."""

from .app import Simulator
from .clock import SimClock
from .faults import Fault, FaultKind, RecordedRequest

__all__ = ["Fault", "FaultKind", "RecordedRequest", "SimClock", "Simulator"]
