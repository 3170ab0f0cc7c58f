"""The baseline: what FastAPI and uvicorn alone do on this machine, in the same run.

A POST JSON endpoint with a validated body (the shape of "issue a ticket" without any
of its work), and a WebSocket broadcast the same way the server fans out (one queue and
one sending task per client), served with the same uvicorn settings as `motcua server`.
Run: `python -m bench.baseline --port 8101 [--workers 2]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from pydantic import BaseModel

app = FastAPI()
_clients: set[asyncio.Queue[str]] = set()
_counter = {"n": 0}


class Body(BaseModel):
    service_id: int | None = None
    procedure_code: str | None = None
    finish_current: bool | None = None


@app.post("/bench/echo")
async def echo(body: Body) -> dict:
    _counter["n"] += 1
    return {"id": _counter["n"], "service_id": body.service_id, "status": "waiting", "at": time.time()}


@app.get("/bench/health")
async def health() -> dict:
    return {"status": "ok", "subscribers": len(_clients)}


@app.post("/bench/broadcast")
async def broadcast() -> dict:
    """Like a TicketCalled event: one JSON text to every connected client."""
    _counter["n"] += 1
    text = json.dumps({"kind": "event", "type": "TicketCalled", "seq": _counter["n"],
                       "ticket": {"id": _counter["n"], "label": "A001"}, "padding": "x" * 400})
    for queue in tuple(_clients):
        queue.put_nowait(text)
    return {"id": _counter["n"]}


@app.websocket("/bench/ws")
async def ws(websocket: WebSocket) -> None:
    await websocket.accept()
    queue: asyncio.Queue[str] = asyncio.Queue()
    _clients.add(queue)
    receiver = asyncio.create_task(websocket.receive())
    try:
        await websocket.send_text(json.dumps({"kind": "hello"}))
        while not receiver.done():
            getter = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({getter, receiver}, return_when=asyncio.FIRST_COMPLETED)
            if getter in done:
                await websocket.send_text(getter.result())
            else:
                getter.cancel()
    except (WebSocketDisconnect, RuntimeError, ConnectionError):
        pass
    finally:
        receiver.cancel()
        _clients.discard(queue)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    import uvicorn

    # The same settings as `motcua server` (queue_server/cli.py).
    uvicorn.run("bench.baseline:app", host="127.0.0.1", port=args.port, workers=args.workers,
                log_level="warning", ws_per_message_deflate=False, proxy_headers=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
