"""HTTP exchange shared by both clients: timeout, charset-aware decoding, status mapping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
import json
from typing import Any

import aiohttp

from .errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    ProviderConnectionError,
    ProviderError,
    RateLimitedError,
    ServerError,
    UnparseableResponseError,
)

DEFAULT_TIMEOUT = 10.0
DECODED_IN_LOOP = 256 * 1024
"""Larger answers (a bot's 10,000 users are about 2 MB) are decoded in a worker
thread, so the event loop is not held while they are."""

type Describe = Callable[[Any], tuple[str | None, str | None]]
"""Turns an error body into the provider's (code, message), each None when absent."""


@dataclass(frozen=True, slots=True)
class Transport:
    """Sends one request and returns the decoded JSON body, or raises a typed error."""

    session: aiohttp.ClientSession
    base_url: str
    describe_error: Describe
    request_timeout: float = DEFAULT_TIMEOUT

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> Any:
        """Perform the request; None stands for an empty body."""
        payload, _ = await self.exchange(
            method, path, headers=headers, params=params, json_body=json_body, form=form
        )
        return payload

    async def exchange(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> tuple[Any, str | None]:
        """Perform the request; return the decoded body and the `Date` header."""
        url = self.base_url.rstrip("/") + path
        try:
            async with (
                asyncio.timeout(self.request_timeout),
                self.session.request(
                    method,
                    url,
                    headers=dict(headers),
                    params=params,
                    json=json_body,
                    data=form,
                    allow_redirects=False,
                ) as response,
            ):
                body = await response.read()
                status = response.status
                charset = response.charset
                retry_after = response.headers.get("Retry-After")
                date = response.headers.get("Date")
        except TimeoutError as err:
            raise ProviderConnectionError(
                f"{method} {path} got no answer within {self.request_timeout:g} s",
                may_have_reached_provider=True,
            ) from err
        except aiohttp.ClientConnectorError as err:
            raise ProviderConnectionError(
                f"cannot connect to {self.base_url}: {err.os_error or err}",
                may_have_reached_provider=False,
            ) from err
        except aiohttp.ClientError as err:
            raise ProviderConnectionError(
                f"{method} {path} failed: {type(err).__name__}",
                may_have_reached_provider=True,
            ) from err

        if 200 <= status < 300:
            if len(body) > DECODED_IN_LOOP:
                decoded = await asyncio.get_running_loop().run_in_executor(
                    None, decode_json, body, charset
                )
                return decoded, date
            return decode_json(body, charset), date
        raise self._error(
            method, path, status, body=body, charset=charset, retry_after=retry_after
        )

    def _error(
        self,
        method: str,
        path: str,
        status: int,
        *,
        body: bytes,
        charset: str | None,
        retry_after: str | None,
    ) -> Exception:
        try:
            payload = decode_json(body, charset)
        except UnparseableResponseError:
            payload = None
        code, message = self.describe_error(payload)
        text = f"{method} {path}: HTTP {status}" + (f": {message}" if message else "")
        if status in (401, 403):
            return AuthenticationError(text)
        if status == 404:
            return NotFoundError(text)
        if status == 409:
            return ConflictError(text)
        if status == 429:
            return RateLimitedError(text, retry_after=_seconds(retry_after))
        if status >= 500:
            return ServerError(text, status=status)
        return ProviderError(message or text, code=code, status=status)


def decode_json(body: bytes, charset: str | None) -> Any:
    """Decode a body with the charset the server named (UTF-8 when it named none)."""
    if not body.strip():
        return None
    try:
        return json.loads(body.decode(charset or "utf-8"))
    except (LookupError, ValueError, RecursionError) as err:
        raise UnparseableResponseError(f"the answer is not valid JSON ({err})") from err


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
