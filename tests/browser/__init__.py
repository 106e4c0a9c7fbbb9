"""End-to-end test in a real browser against a real Home Assistant (run on its own)."""
