"""Tests of the provider clients, against the simulator."""
