"""Elibom: SMS to Colombia and beyond, with delivery tracking and schedules."""
