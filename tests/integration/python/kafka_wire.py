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


class RawClient:
    """Mix-in for a unittest.TestCase whose broker is self.broker: one raw
    connection to it (self.conn, opened by connect() or by the first call()),
    and correlation ids 1, 2, ... from next_id()."""

    conn = None
    correlation = 0

    def connect(self):
        self.conn = Connection(self.broker.port)
        return self.conn

    def disconnect(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def call(self, request, parse):
        """Sends `request` (made by one of the *_request functions) and parses its response with `parse`."""
        conn = self.conn or self.connect()
        conn.send(request)
        payload = conn.read_frame()
        self.assertIsNotNone(payload, "the broker closed the connection")
        return parse(payload)

    def next_id(self):
        self.correlation += 1
        return self.correlation


# -- reading responses --------------------------------------------------------
class _Reader:
    """A position in a response and the fields that follow it."""

    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def fixed(self, fmt):
        """The struct fields `fmt` (a tuple, or the value when there is one)."""
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return values if len(values) > 1 else values[0]

    def take(self, n):
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def string(self):
        return self.take(self.fixed(">h")).decode()

    def uvarint(self):
        shift = value = 0
        while True:
            byte = self.data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7

    def varint(self):
        z = self.uvarint()
        return (z >> 1) ^ -(z & 1)  # zigzag

    def compact_string(self):
        """A compact (nullable) string: None for null."""
        n = self.uvarint() - 1
        return None if n < 0 else self.take(n).decode()

    def skip_tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()  # tag
            size = self.uvarint()  # read before `self.pos +=` reads the position
            self.pos += size


def _read_partition_errors(r):
    """[(topic, partition, error)] of an array of topics, each with an array of (partition, error)."""
    out = []
    for _ in range(r.fixed(">i")):
        name = r.string()
        for _ in range(r.fixed(">i")):
            partition, error = r.fixed(">ih")
            out.append((name, partition, error))
    return out


def parse_api_versions_v0(payload):
    """(correlation id, error code, {api key: (min, max)}) of an ApiVersions v0 response."""
    r = _Reader(payload)
    correlation_id, error, count = r.fixed(">ihi")
    apis = {}
    for _ in range(count):
        key, lo, hi = r.fixed(">hhh")
        apis[key] = (lo, hi)
    return correlation_id, error, apis


# -- record batches (magic 2) ------------------------------------------------
def _crc32c_table():
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC32C[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def varint(n):
    return _uvarint((n << 1) ^ (n >> 63))  # zigzag, then unsigned


def _bytes_field(value):
    return varint(-1) if value is None else varint(len(value)) + value


def record_batch(values, base_timestamp=1_700_000_000_000, corrupt_crc=False, producer=(-1, -1, -1),
                 transactional=False, keys=None):
    """An uncompressed magic-2 batch of records, with null keys unless `keys`
    are given (one per value); `producer` is (producer id, epoch, base
    sequence) for an idempotent producer's batch."""
    keys = keys or [None] * len(values)
    records = b""
    for i, (key, value) in enumerate(zip(keys, values)):
        body = b"\x00" + varint(0) + varint(i) + _bytes_field(key) + _bytes_field(value) + varint(0)
        records += varint(len(body)) + body
    producer_id, epoch, sequence = producer
    attributes = 0x10 if transactional else 0
    after_crc = struct.pack(">hiqqqhii", attributes, len(values) - 1, base_timestamp, base_timestamp, producer_id, epoch,
                            sequence, len(values)) + records
    crc = crc32c(after_crc) ^ (1 if corrupt_crc else 0)
    batch_length = 4 + 1 + 4 + len(after_crc)  # leader epoch + magic + crc + rest
    return struct.pack(">qiibI", 0, batch_length, 0, 2, crc) + after_crc


def _string(s):
    encoded = s.encode()
    return struct.pack(">h", len(encoded)) + encoded


def _one_topic(topic, partitions):
    """The start of a request's topic array with one topic: its name and the count of its partitions."""
    return struct.pack(">i", 1) + _string(topic) + struct.pack(">i", partitions)


def produce_request_v3(topic, partition, records, acks=-1, correlation_id=1):
    body = struct.pack(">hhi", -1, acks, 30000) + _one_topic(topic, 1)
    body += struct.pack(">ii", partition, len(records)) + records
    return frame(request_header(0, 3, correlation_id) + body)


def parse_produce_response_v3(payload):
    """(correlation id, [(topic, partition, error, base offset)])."""
    r = _Reader(payload)
    correlation_id = r.fixed(">i")
    out = []
    for _ in range(r.fixed(">i")):
        name = r.string()
        for _ in range(r.fixed(">i")):
            index, error, base_offset, _append_time = r.fixed(">ihqq")
            out.append((name, index, error, base_offset))
    return correlation_id, out


def init_producer_id_request_v0(transactional_id=None, correlation_id=1):
    tid = struct.pack(">h", -1) if transactional_id is None else _string(transactional_id)
    return frame(request_header(22, 0, correlation_id) + tid + struct.pack(">i", 60000))


def parse_init_producer_id_response_v0(payload):
    """(correlation id, error, producer id, epoch)."""
    correlation_id, _throttle, error, producer_id, epoch = struct.unpack(">iihqh", payload[:20])
    return correlation_id, error, producer_id, epoch


def fetch_request_v4(topic, partition, offset, max_wait_ms=0, min_bytes=1, correlation_id=1, isolation_level=0):
    body = struct.pack(">iiiib", -1, max_wait_ms, min_bytes, 1 << 20, isolation_level) + _one_topic(topic, 1)
    body += struct.pack(">iqi", partition, offset, 1 << 20)
    return frame(request_header(1, 4, correlation_id) + body)


def _read_fetch_v4(payload):
    """(correlation id, [(partition, error, high watermark, last stable offset,
    aborted, records)]); aborted and records are None when null, aborted is
    otherwise a list of (producer id, first offset)."""
    r = _Reader(payload)
    correlation_id, _throttle, topics = r.fixed(">iii")
    out = []
    for _ in range(topics):
        r.string()
        for _ in range(r.fixed(">i")):
            index, error, high_watermark, lso, count = r.fixed(">ihqqi")
            aborted = [r.fixed(">qq") for _ in range(count)] if count >= 0 else None
            size = r.fixed(">i")
            records = r.take(size) if size >= 0 else None
            out.append((index, error, high_watermark, lso, aborted, records))
    return correlation_id, out


def parse_fetch_response_v4(payload):
    """(correlation id, [(partition, error, high watermark, records bytes)])."""
    correlation_id, partitions = _read_fetch_v4(payload)
    return correlation_id, [(index, error, high_watermark, records)
                            for index, error, high_watermark, _lso, _aborted, records in partitions]


def parse_fetch_response_v4_detail(payload):
    """[(partition, error, high watermark, last stable offset, aborted, records)];
    aborted is None (null) or a list of (producer id, first offset)."""
    _correlation_id, partitions = _read_fetch_v4(payload)
    # Null records read as empty here.
    return [(index, error, high_watermark, lso, aborted, records or b"")
            for index, error, high_watermark, lso, aborted, records in partitions]


def write_txn_markers_request_v0(markers, correlation_id=1):
    """markers: [(producer id, epoch, commit, topic, [partitions], coordinator epoch)]."""
    body = struct.pack(">i", len(markers))
    for producer_id, epoch, commit, topic, partitions, coordinator_epoch in markers:
        body += struct.pack(">qhb", producer_id, epoch, 1 if commit else 0) + _one_topic(topic, len(partitions))
        body += b"".join(struct.pack(">i", p) for p in partitions)
        body += struct.pack(">i", coordinator_epoch)
    return frame(request_header(27, 0, correlation_id) + body)


def parse_write_txn_markers_response_v0(payload):
    """[(producer id, topic, partition, error)]."""
    r = _Reader(payload, 4)  # after the correlation id
    out = []
    for _ in range(r.fixed(">i")):
        producer_id = r.fixed(">q")
        out += [(producer_id, name, partition, error) for name, partition, error in _read_partition_errors(r)]
    return out


def txn_offset_commit_request_v0(transactional_id, group, producer_id, epoch, topic, offsets, correlation_id=1):
    """offsets: {partition: offset}."""
    body = _string(transactional_id) + _string(group) + struct.pack(">qh", producer_id, epoch)
    body += _one_topic(topic, len(offsets))
    for partition, offset in offsets.items():
        body += struct.pack(">iqh", partition, offset, -1)  # null metadata
    return frame(request_header(28, 0, correlation_id) + body)


def parse_txn_offset_commit_response_v0(payload):
    """[(topic, partition, error)]."""
    return _read_partition_errors(_Reader(payload, 8))  # after the correlation id and throttle


def _uvarint(n):
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def _compact_string(s):
    encoded = s.encode()
    return _uvarint(len(encoded) + 1) + encoded


def describe_producers_request_v0(topic, partitions, correlation_id=1):
    body = _uvarint(2) + _compact_string(topic) + _uvarint(len(partitions) + 1)
    body += b"".join(struct.pack(">i", p) for p in partitions) + b"\x00"  # topic's tags
    body += b"\x00"  # request's tags
    return frame(request_header(61, 0, correlation_id, flexible=True) + body)


def parse_describe_producers_response_v0(payload):
    """{partition: (error, [(producer id, epoch, last sequence, last timestamp,
    coordinator epoch, current txn start offset)])} of the first topic."""
    r = _Reader(payload, 4 + 1)  # correlation id, header tags (none)
    r.fixed(">i")  # throttle
    out = {}
    for _ in range(r.uvarint() - 1):
        r.compact_string()
        for _ in range(r.uvarint() - 1):
            index, error = r.fixed(">ih")
            r.compact_string()  # error message
            states = []
            for _ in range(r.uvarint() - 1):
                states.append(r.fixed(">qiiqiq"))
                r.pos += 1  # tags
            r.pos += 1  # partition tags
            out[index] = (error, states)
        r.pos += 1  # topic tags
    return out


def _whole_batches(records):
    """The reader of every whole batch in `records`, at the batch's start (a
    batch cut off at the end is left out)."""
    pos = 0
    while pos + 61 <= len(records):
        (batch_length,) = struct.unpack_from(">i", records, pos + 8)
        end = pos + 12 + batch_length
        if end > len(records):
            break
        yield _Reader(records, pos)
        pos = end


def batch_offsets(records):
    """(base offset, last offset, is control) of every whole batch."""
    out = []
    for r in _whole_batches(records):
        base = r.fixed(">q")
        r.pos += 4 + 4 + 1 + 4  # batch length, leader epoch, magic, crc
        attributes, last_delta = r.fixed(">hi")
        out.append((base, base + last_delta, bool(attributes & 0x20)))
    return out


def batch_values(records):
    """The values of every record in uncompressed batches (for checks);
    control batches (transaction markers) are skipped."""
    values = []
    for r in _whole_batches(records):
        r.pos += 8 + 4 + 4 + 1 + 4  # base offset, batch length, leader epoch, magic, crc
        if r.fixed(">h") & 0x20:  # attributes: a control batch
            continue
        r.pos += 4 + 8 + 8 + 8 + 2 + 4  # last offset delta, timestamps, producer id, epoch, base sequence
        for _ in range(r.fixed(">i")):
            length = r.varint()
            body_end = r.pos + length
            r.pos += 1  # attributes
            r.varint()  # timestamp delta
            r.varint()  # offset delta
            key_len = r.varint()
            r.pos += max(key_len, 0)
            value_len = r.varint()
            values.append(r.take(value_len) if value_len >= 0 else None)
            r.pos = body_end
    return values


def fetch_request_v7(partitions, session_id=0, session_epoch=-1, forgotten=(), max_wait_ms=0, min_bytes=0,
                     correlation_id=1):
    """partitions: [(topic, partition, fetch offset)]; forgotten: [(topic, partition)]."""
    body = struct.pack(">iiiibii", -1, max_wait_ms, min_bytes, 1 << 20, 0, session_id, session_epoch)
    by_topic = {}
    for topic, partition, offset in partitions:
        by_topic.setdefault(topic, []).append((partition, offset))
    body += struct.pack(">i", len(by_topic))
    for topic, parts in by_topic.items():
        body += _string(topic) + struct.pack(">i", len(parts))
        for partition, offset in parts:
            body += struct.pack(">iqqi", partition, offset, -1, 1 << 20)
    gone = {}
    for topic, partition in forgotten:
        gone.setdefault(topic, []).append(partition)
    body += struct.pack(">i", len(gone))
    for topic, parts in gone.items():
        body += _string(topic) + struct.pack(">i", len(parts)) + b"".join(struct.pack(">i", p) for p in parts)
    return frame(request_header(1, 7, correlation_id) + body)


def parse_fetch_response_v7(payload):
    """(error, session id, {(topic, partition): (error, high watermark, records)})."""
    r = _Reader(payload)
    _correlation_id, _throttle, error, session_id, topics = r.fixed(">iihii")
    out = {}
    for _ in range(topics):
        topic = r.string()
        for _ in range(r.fixed(">i")):
            index, perror, high_watermark, _lso, _log_start, aborted = r.fixed(">ihqqqi")
            r.pos += max(aborted, 0) * 16
            out[(topic, index)] = (perror, high_watermark, r.take(max(r.fixed(">i"), 0)))
    return error, session_id, out


def describe_log_dirs_request_v1(correlation_id=1):
    """Every partition (a null topic list)."""
    return frame(request_header(35, 1, correlation_id) + struct.pack(">i", -1))


def parse_describe_log_dirs_response_v1(payload):
    """{log dir: {(topic, partition): size}}."""
    r = _Reader(payload)
    _correlation_id, _throttle, results = r.fixed(">iii")
    out = {}
    for _ in range(results):
        r.fixed(">h")  # error
        log_dir = {}
        out[r.string()] = log_dir
        for _ in range(r.fixed(">i")):
            topic = r.string()
            for _ in range(r.fixed(">i")):
                partition, size, _lag, _future = r.fixed(">iqq?")
                log_dir[(topic, partition)] = size
    return out
