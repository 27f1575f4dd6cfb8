#!/usr/bin/env python3
"""A tiny round-robin TCP load balancer for scripts/replicas.sh: the load balancer of docker/compose.yaml without
Docker or nginx. Python's standard library only.

    rrproxy.py LISTEN BACKEND [BACKEND...]      e.g. rrproxy.py 127.0.0.1:18080 127.0.0.1:18081 127.0.0.1:18082

Each new connection goes to the next backend in turn; a backend that refuses the connection (stopped, restarting) is
skipped for that connection, so a replica that is down costs a client nothing but the retry. It works on TCP, so
HTTP keep-alive connections stay on one replica and websockets pass through untouched. It adds no X-Forwarded-For:
behind it the hub sees every client as 127.0.0.1 (per-agency rate limits are unaffected).

SIGTERM or SIGINT stops it.
"""

import asyncio
import itertools
import signal
import sys


def address(text):
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:  # noqa: BLE001 - the other side may be gone already
            pass


class Balancer:
    def __init__(self, backends):
        self.backends = backends
        self.turn = itertools.cycle(range(len(backends)))

    async def connect(self):
        """The next backend that accepts a connection, starting with the one whose turn it is."""
        first = next(self.turn)
        for i in range(len(self.backends)):
            host, port = self.backends[(first + i) % len(self.backends)]
            try:
                return await asyncio.wait_for(asyncio.open_connection(host, port), 2)
            except (OSError, asyncio.TimeoutError):
                continue
        return None

    async def handle(self, client_reader, client_writer):
        backend = await self.connect()
        if backend is None:
            client_writer.close()
            return
        backend_reader, backend_writer = backend
        await asyncio.gather(
            pipe(client_reader, backend_writer), pipe(backend_reader, client_writer)
        )


async def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    host, port = address(argv[1])
    balancer = Balancer([address(b) for b in argv[2:]])
    server = await asyncio.start_server(balancer.handle, host, port, backlog=4096)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"listening on {host}:{port}", flush=True)
    async with server:
        await stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv)))
