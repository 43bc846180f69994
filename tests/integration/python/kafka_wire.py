"""Just enough of the Kafka wire format to send hand-made (and broken)
requests over a raw socket."""
import socket
import struct


def request_header(api_key, version, correlation_id, client_id="raw-test", flexible=False):
    header = struct.pack(">hhi", api_key, version, correlation_id)
    encoded = client_id.encode()
    header += struct.pack(">h", len(encoded)) + encoded
    if flexible:
        header += b"\x00"  # no tagged fields
    return header


def frame(payload):
    return struct.pack(">i", len(payload)) + payload


def api_versions_request(version=0, correlation_id=1):
    flexible = version >= 3
    body = b""
    if flexible:
        body = b"\x09raw-test" + b"\x041.0" + b"\x00"  # compact strings (length + 1) + tags
    return frame(request_header(18, version, correlation_id, flexible=flexible) + body)


class Connection:
    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)

    def send(self, data):
        self.sock.sendall(data)

    def read_frame(self):
        """The next response frame, or None when the broker closed the connection."""
        size = self._read_exactly(4)
        if size is None:
            return None
        (length,) = struct.unpack(">i", size)
        return self._read_exactly(length)

    def _read_exactly(self, n):
        data = b""
        while len(data) < n:
            try:
                chunk = self.sock.recv(n - len(data))
            except ConnectionResetError:
                return None
            if not chunk:
                return None
            data += chunk
        return data

    def closed_by_peer(self):
        return self.read_frame() is None

    def close(self):
        self.sock.close()


def parse_api_versions_v0(payload):
    """(correlation id, error code, {api key: (min, max)}) of an ApiVersions v0 response."""
    correlation_id, error, count = struct.unpack(">ihi", payload[:10])
    apis = {}
    pos = 10
    for _ in range(count):
        key, lo, hi = struct.unpack(">hhh", payload[pos:pos + 6])
        apis[key] = (lo, hi)
        pos += 6
    return correlation_id, error, apis
