"""Tests for the LatAm Messaging integration."""
