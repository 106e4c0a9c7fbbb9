"""The simulator: both providers under /elibom and /aldeamo, and a control API under /_control."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from typing import Any

from aiohttp import web

from .aldeamo import AldeamoState, aldeamo_json
from .clock import SimClock
from .elibom import ElibomState, elibom_error
from .faults import Fault, FaultInjector, FaultKind, RecordedRequest

PROVIDERS = ("elibom", "aldeamo")
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    429: "too_many_requests",
    500: "server_error",
    502: "bad_gateway",
    503: "service_unavailable",
}
MALFORMED_BODY = b"<html><body><h1>502 Bad Gateway</h1></body></html>"

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Simulator:
    """Stateful stand-in for Elibom and Aldeamo, with fault injection and a request log."""

    def __init__(self, clock: SimClock | None = None) -> None:
        """Start empty: add accounts, keys and users before use."""
        self.clock = clock or SimClock()
        self.elibom = ElibomState(self.clock)
        self.aldeamo = AldeamoState(self.clock)
        self.faults = FaultInjector()
        self.requests: list[RecordedRequest] = []
        self.latency = 0.0
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self.base_url = ""

    # Use from Python (tests, benchmark) ------------------------------------------

    @property
    def elibom_url(self) -> str:
        """Base URL of the simulated Elibom API."""
        return f"{self.base_url}/elibom"

    @property
    def aldeamo_url(self) -> str:
        """Base URL of the simulated Aldeamo API."""
        return f"{self.base_url}/aldeamo"

    def fail_next(self, kind: FaultKind | str, count: int = 1, **where: Any) -> None:
        """Inject a fault into the next `count` matching requests."""
        self.faults.add(Fault(FaultKind(kind), count, **where))

    def advance(self, seconds: float) -> None:
        """Move simulated time forward."""
        self.clock.advance(seconds)

    def requests_to(
        self, provider: str, method: str | None = None, path: str | None = None
    ) -> list[RecordedRequest]:
        """Return the requests to one provider, optionally one method and exact path."""
        return [
            request
            for request in self.requests
            if request.provider == provider
            and (method is None or request.method == method)
            and (path is None or request.path == path)
        ]

    def build_app(self) -> web.Application:
        """Build the aiohttp application serving everything."""
        app = web.Application(
            middlewares=[self._middleware], client_max_size=4 * 1024 * 1024
        )
        for name, state in (("elibom", self.elibom), ("aldeamo", self.aldeamo)):
            provider = web.Application()
            provider.add_routes(state.routes())
            app.add_subapp(f"/{name}", provider)
        app.add_routes(self._control_routes())
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 picks a free port); returns the base URL."""
        self._runner = web.AppRunner(
            self.build_app(), access_log=None, shutdown_timeout=0.1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self.base_url = f"http://{host}:{bound[1]}"
        return self.base_url

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            self._stopping.set()  # ends injected delays at once
            await self._runner.cleanup()
            self._runner = None

    # Fault injection and recording ---------------------------------------------

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        provider, _, rest = request.path.lstrip("/").partition("/")
        if provider not in PROVIDERS:
            return await handler(request)
        path = "/" + rest
        body = await request.read()
        fault = self.faults.take(provider, request.method, path)
        self.requests.append(
            RecordedRequest(
                provider=provider,
                method=request.method,
                path=path,
                query=dict(request.query),
                headers=dict(request.headers),
                body=body,
                received_at=self.clock.now(),
                fault=fault.kind if fault else None,
            )
        )
        if self.latency:
            await asyncio.sleep(self.latency)
        if fault is not None and fault.kind is FaultKind.STATUS:
            return _error_response(provider, fault.status)
        response = await handler(request)
        if fault is None:
            return response
        if fault.kind is FaultKind.DELAY:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(fault.delay):
                    await self._stopping.wait()
            return response
        return _spoil(request, response, fault)

    # Control API (for the standalone simulator) ----------------------------------

    def _control_routes(self) -> list[web.RouteDef]:
        return [
            web.get("/_control/requests", self._c_requests),
            web.delete("/_control/requests", self._c_clear_requests),
            web.post("/_control/faults", self._c_add_fault),
            web.delete("/_control/faults", self._c_clear_faults),
            web.post("/_control/latency", self._c_latency),
            web.post("/_control/clock/advance", self._c_advance),
            web.post("/_control/elibom/accounts", self._c_elibom_account),
            web.post("/_control/elibom/invalid_numbers", self._c_invalid_numbers),
            web.post("/_control/aldeamo/keys", self._c_aldeamo_key),
            web.post("/_control/aldeamo/write", self._c_aldeamo_write),
            # What the crash soak (scripts/soak) reads back; no provider has these.
            web.get("/_sim/elibom", self._sim_elibom),
            web.get("/_sim/requests", self._sim_requests),
        ]

    async def _sim_elibom(self, request: web.Request) -> web.Response:
        self.elibom.run_due_schedules()
        return web.json_response(self.elibom.truth())

    async def _sim_requests(self, request: web.Request) -> web.Response:
        """List the requests from index `since` on, without headers or bodies."""
        since = int(request.query.get("since", "0"))
        return web.json_response(
            {
                "count": len(self.requests),
                "requests": [
                    [r.provider, r.method, r.path, r.received_at.isoformat()]
                    for r in self.requests[since:]
                ],
            }
        )

    async def _c_requests(self, request: web.Request) -> web.Response:
        return web.json_response([recorded.as_dict() for recorded in self.requests])

    async def _c_clear_requests(self, request: web.Request) -> web.Response:
        self.requests.clear()
        return web.json_response({"ok": True})

    async def _c_add_fault(self, request: web.Request) -> web.Response:
        spec = await request.json()
        try:
            self.fail_next(spec.pop("kind"), **spec)
        except (KeyError, TypeError, ValueError) as err:
            return web.json_response({"error": str(err)}, status=400)
        return web.json_response({"ok": True})

    async def _c_clear_faults(self, request: web.Request) -> web.Response:
        self.faults.clear()
        return web.json_response({"ok": True})

    async def _c_latency(self, request: web.Request) -> web.Response:
        self.latency = float((await request.json())["seconds"])
        return web.json_response({"ok": True})

    async def _c_advance(self, request: web.Request) -> web.Response:
        self.advance(float((await request.json())["seconds"]))
        return web.json_response({"now": self.clock.now().isoformat()})

    async def _c_elibom_account(self, request: web.Request) -> web.Response:
        spec = await request.json()
        account = self.elibom.add_account(
            spec.pop("email"), spec.pop("api_token"), **spec
        )
        return web.json_response({"email": account.email, "credits": account.credits})

    async def _c_invalid_numbers(self, request: web.Request) -> web.Response:
        self.elibom.invalid_numbers.update((await request.json())["numbers"])
        return web.json_response({"ok": True})

    async def _c_aldeamo_key(self, request: web.Request) -> web.Response:
        self.aldeamo.api_keys.add((await request.json())["api_key"])
        return web.json_response({"ok": True})

    async def _c_aldeamo_write(self, request: web.Request) -> web.Response:
        spec = await request.json()
        message_id = self.aldeamo.write(
            spec["channel"], spec["user_id"], spec["message"], name=spec.get("name")
        )
        return web.json_response({"id": message_id})


def _error_response(provider: str, status: int) -> web.Response:
    code = STATUS_CODES.get(status, "error")
    if provider == "elibom":
        response = elibom_error(status, code, f"Error simulado: {code}")
    else:
        response = aldeamo_json(
            ok=False, code=status, message=f"Error simulado: {code}", status=status
        )
    if status == 429:
        response.headers["Retry-After"] = "1"
    return response


def _spoil(
    request: web.Request, response: web.StreamResponse, fault: Fault
) -> web.StreamResponse:
    """Corrupt a response the handler produced (the request itself did take effect)."""
    body = response.body if isinstance(response, web.Response) else b""
    raw = body if isinstance(body, bytes) else b""
    if fault.kind is FaultKind.MALFORMED:
        return web.Response(status=200, body=MALFORMED_BODY, content_type="text/html")
    if fault.kind is FaultKind.BODY:
        return web.Response(
            status=200, body=fault.body, headers={"Content-Type": fault.content_type}
        )
    if fault.kind is FaultKind.TRUNCATED:
        return web.Response(
            status=response.status,
            body=raw[: len(raw) // 2],
            headers={
                "Content-Type": response.headers.get("Content-Type", "application/json")
            },
        )
    # DISCONNECT: drop the connection without a word.
    if request.transport is not None:
        request.transport.close()
    raise asyncio.CancelledError
