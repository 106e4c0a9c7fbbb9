"""Let pytest-homeassistant-custom-component 0.13.375 run against Home Assistant 2026.11.0.

Loaded only by scripts/test's Home Assistant 2026.11.0 run, with `-p tests.ha_2026_11_shim`,
so before the test package's own plugin. No test package pins 2026.11 yet (0.13.375 pins
2026.10.4), and two things in it do not fit 2026.11; neither is in the integration:

1. Home Assistant 2026.11 replaces httpx with httpx2: importing `homeassistant` aliases
   `httpx` to it, and refuses to if something imported httpx first. The plugin imports
   respx (which imports httpx) before Home Assistant, so Home Assistant is imported here.
2. `_clear_logger_overwrites` moved from `homeassistant.components.logger` to its
   `helpers` module; the plugin's common.py imports it from the old place, so it is put
   back there.

Delete this file (and the third run in scripts/test) once a test package pinning
Home Assistant 2026.11 is published.
"""

import homeassistant  # noqa: F401  # first: aliases httpx to httpx2 before respx loads
from homeassistant.components import logger
from homeassistant.components.logger.helpers import _clear_logger_overwrites

if not hasattr(logger, "_clear_logger_overwrites"):
    logger._clear_logger_overwrites = _clear_logger_overwrites  # noqa: SLF001
