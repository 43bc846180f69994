#!/usr/bin/python3
"""A TCP proxy in front of a Kafka broker that records client requests.

Every request frame a client sends (the bytes after the 4-byte size prefix:
request header + body) is forwarded unchanged to the upstream broker and, the
first time its API key and version are seen in this run, written to (only
the APIs named with --apis, when given)

    <out>/<api>_v<version>_<client>_<tag>.bin

Later frames of the same API and version are forwarded but not written, so a
consumer's hundred Fetch polls leave one file (the first, the one that carries
the start offset). With --all every frame is written, numbered
<api>_v<version>_<client>_<tag>_<n>.bin.

Responses go back unchanged except for one rewrite: wherever the upstream's
own "<host>" string is followed by its int32 port (a broker entry in Metadata,
FindCoordinator, DescribeCluster), the port becomes the proxy's, so that
clients keep talking through the proxy after the bootstrap. The host string
and the port have the same length before and after, so no size changes.

One proxy serves one client run: start it, run the client against
127.0.0.1:<listen port>, stop it with SIGTERM (capture.sh does this).
"""

import argparse
import asyncio
import os
import signal
import struct
import sys

# Kafka API keys the captures use; others are named api<key>.
API_NAMES = {
    0: "produce",
    1: "fetch",
    2: "list_offsets",
    3: "metadata",
    8: "offset_commit",
    9: "offset_fetch",
    10: "find_coordinator",
    11: "join_group",
    12: "heartbeat",
    13: "leave_group",
    14: "sync_group",
    18: "api_versions",
    19: "create_topics",
    22: "init_producer_id",
    32: "describe_configs",
    60: "describe_cluster",
}

MAX_FRAME = 64 * 1024 * 1024


class Capture:
    def __init__(self, out_dir, client, tag, write_all, apis):
        self.out_dir = out_dir
        self.apis = apis
        self.client = client
        self.tag = tag
        self.write_all = write_all
        self.seen = {}

    def record(self, frame):
        if len(frame) < 4:
            return
        api_key, api_version = struct.unpack(">hh", frame[:4])
        name = API_NAMES.get(api_key, f"api{api_key}")
        if self.apis and name not in self.apis:
            return
        stem = f"{name}_v{api_version}_{self.client}_{self.tag}"
        count = self.seen.get(stem, 0)
        self.seen[stem] = count + 1
        if self.write_all:
            stem = f"{stem}_{count}"
        elif count:
            return
        path = os.path.join(self.out_dir, stem + ".bin")
        with open(path, "wb") as f:
            f.write(frame)
        print(f"capture_proxy: {path} ({len(frame)} bytes)", file=sys.stderr)


async def read_frame(reader):
    """Returns (size prefix, frame) or None at end of stream."""
    try:
        prefix = await reader.readexactly(4)
    except asyncio.IncompleteReadError:
        return None
    (size,) = struct.unpack(">i", prefix)
    if size < 0 or size > MAX_FRAME:
        raise ValueError(f"frame size {size}")
    return prefix, await reader.readexactly(size)


async def pump(reader, writer, on_frame):
    try:
        while True:
            item = await read_frame(reader)
            if item is None:
                break
            prefix, frame = item
            frame = on_frame(frame)
            writer.write(prefix + frame)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, ValueError):
        pass
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listen", type=int, required=True, help="port to listen on (127.0.0.1)")
    parser.add_argument("--upstream", required=True, help="host:port of the broker")
    parser.add_argument("--out", required=True, help="directory for the .bin files")
    parser.add_argument("--client", required=True, help="client name in file names (kcat, kafkapython)")
    parser.add_argument("--tag", required=True, help="what this run does (produce_gzip, consume, ...)")
    parser.add_argument("--all", action="store_true", help="write every frame, numbered")
    parser.add_argument("--apis", default="", help="comma-separated API names to record (default: all)")
    args = parser.parse_args()

    up_host, up_port = args.upstream.rsplit(":", 1)
    up_port = int(up_port)
    host_bytes = up_host.encode()
    # The host as a classic (int16 length) and as a compact (varint length+1)
    # string, each followed by the port.
    patterns = []
    for length_prefix in (struct.pack(">h", len(host_bytes)), bytes([len(host_bytes) + 1])):
        old = length_prefix + host_bytes + struct.pack(">i", up_port)
        new = length_prefix + host_bytes + struct.pack(">i", args.listen)
        patterns.append((old, new))

    def rewrite(frame):
        for old, new in patterns:
            frame = frame.replace(old, new)
        return frame

    os.makedirs(args.out, exist_ok=True)
    apis = set(filter(None, args.apis.split(",")))
    capture = Capture(args.out, args.client, args.tag, args.all, apis)

    def on_request(frame):
        capture.record(frame)
        return frame

    async def handle(client_reader, client_writer):
        try:
            up_reader, up_writer = await asyncio.open_connection(up_host, up_port)
        except OSError as e:
            print(f"capture_proxy: upstream {args.upstream}: {e}", file=sys.stderr)
            client_writer.close()
            return
        await asyncio.gather(
            pump(client_reader, up_writer, on_request),
            pump(up_reader, client_writer, rewrite),
        )

    server = await asyncio.start_server(handle, "127.0.0.1", args.listen)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"capture_proxy: 127.0.0.1:{args.listen} -> {args.upstream}", file=sys.stderr, flush=True)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
