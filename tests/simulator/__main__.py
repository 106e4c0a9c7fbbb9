"""Run the simulator on its own: python -m tests.simulator --host 127.0.0.1 --port 8910."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .app import Simulator
from .clock import SimClock

DEMO_ELIBOM_USER = "demo@example.com"
DEMO_ELIBOM_TOKEN = "demo-api-password"
DEMO_ALDEAMO_KEY = "demo-api-key"
MARIA = ("whatsapp", "573001112222", "María Gómez")
JUAN = ("facebook", "2291837465", "Juan Pérez")
CHATTER = {
    # María has Assist on in the demo: her first lines show what that is for, a
    # question about the home it answers and a light it switches; Juan has it off,
    # so his lines are only events for automations.
    "es": (
        (*MARIA, "enciende la luz de la cocina"),
        (*JUAN, "¿Tienen domicilios?"),
        (*MARIA, "¿Qué hora es?"),
        (*JUAN, "menú"),
        (*MARIA, "apaga la luz de la cocina"),
    ),
    "en": (
        (*MARIA, "turn on the kitchen light"),
        (*JUAN, "Do you deliver?"),
        (*MARIA, "What time is it?"),
        (*JUAN, "menu"),
        (*MARIA, "turn off the kitchen light"),
    ),
}


def seed_demo(simulator: Simulator) -> None:
    """Create a demo Elibom account and Aldeamo bot with a few users."""
    simulator.elibom.add_account(
        DEMO_ELIBOM_USER, DEMO_ELIBOM_TOKEN, name="Tienda Demo", credits=250.0
    )
    simulator.aldeamo.api_keys.add(DEMO_ALDEAMO_KEY)
    simulator.aldeamo.add_user("whatsapp", "573001112222", name="María Gómez")
    simulator.aldeamo.add_user("facebook", "2291837465", name="Juan Pérez")
    simulator.aldeamo.add_user("web", "web-8f2c", name=None)


async def chatter(simulator: Simulator, every: float, language: str) -> None:
    """Make the demo users write to the bot, one message every `every` seconds."""
    lines = CHATTER.get(language, CHATTER["en"])
    turn = 0
    while True:
        await asyncio.sleep(every)
        channel, user_id, name, text = lines[turn % len(lines)]
        simulator.aldeamo.write(channel, user_id, text, name=name)
        turn += 1


def _print_line(line: str) -> None:
    print(line, flush=True)


async def serve(  # noqa: PLR0913
    host: str, port: int, latency: float, demo: bool, every: float, language: str
) -> None:
    """Serve until interrupted."""
    simulator = Simulator(SimClock(realtime=True))
    simulator.latency = latency
    if demo:
        seed_demo(simulator)
    # One line per message, so that a developer sees what went to and from the bots.
    simulator.elibom.log = simulator.aldeamo.log = _print_line
    url = await simulator.start(host, port)
    lines = [
        f"Provider simulator on {url}",
        f"  Elibom:  {simulator.elibom_url}",
        f"  Aldeamo: {simulator.aldeamo_url}",
    ]
    if demo:
        lines.append(f"  demo Elibom account {DEMO_ELIBOM_USER} / {DEMO_ELIBOM_TOKEN}")
        lines.append(f"  demo Aldeamo API key {DEMO_ALDEAMO_KEY}")
    if demo and every > 0:
        lines.append(f"  a demo bot user writes every {every:g} s")
    print("\n".join(lines), flush=True)
    writer = (
        asyncio.create_task(chatter(simulator, every, language))
        if demo and every > 0
        else None
    )
    try:
        await asyncio.Event().wait()
    finally:
        if writer is not None:
            writer.cancel()
        await simulator.stop()


def main() -> None:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8910)
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every answer"
    )
    parser.add_argument(
        "--demo", action="store_true", help="create demo accounts and bot users"
    )
    parser.add_argument(
        "--chatter",
        type=float,
        default=0.0,
        help="with --demo: seconds between messages demo users write to the bot",
    )
    parser.add_argument(
        "--language",
        default="en",
        help="with --chatter: the language demo users write in (en or es)",
    )
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                args.host,
                args.port,
                args.latency,
                args.demo,
                args.chatter,
                args.language,
            )
        )


if __name__ == "__main__":
    main()
