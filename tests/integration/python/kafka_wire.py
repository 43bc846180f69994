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
                 transactional=False):
    """An uncompressed magic-2 batch of records with null keys; `producer` is
    (producer id, epoch, base sequence) for an idempotent producer's batch."""
    records = b""
    for i, value in enumerate(values):
        body = b"\x00" + varint(0) + varint(i) + _bytes_field(None) + _bytes_field(value) + varint(0)
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


def produce_request_v3(topic, partition, records, acks=-1, correlation_id=1):
    body = struct.pack(">hhi", -1, acks, 30000)
    body += struct.pack(">i", 1) + _string(topic) + struct.pack(">i", 1)
    body += struct.pack(">ii", partition, len(records)) + records
    return frame(request_header(0, 3, correlation_id) + body)


def parse_produce_response_v3(payload):
    """(correlation id, [(topic, partition, error, base offset)])."""
    (correlation_id,) = struct.unpack(">i", payload[:4])
    pos = 4
    (topics,) = struct.unpack(">i", payload[pos:pos + 4])
    pos += 4
    out = []
    for _ in range(topics):
        (n,) = struct.unpack(">h", payload[pos:pos + 2])
        name = payload[pos + 2:pos + 2 + n].decode()
        pos += 2 + n
        (partitions,) = struct.unpack(">i", payload[pos:pos + 4])
        pos += 4
        for _ in range(partitions):
            index, error, base_offset, _append_time = struct.unpack(">ihqq", payload[pos:pos + 22])
            pos += 22
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
    body = struct.pack(">iiiib", -1, max_wait_ms, min_bytes, 1 << 20, isolation_level)
    body += struct.pack(">i", 1) + _string(topic) + struct.pack(">i", 1)
    body += struct.pack(">iqi", partition, offset, 1 << 20)
    return frame(request_header(1, 4, correlation_id) + body)


def parse_fetch_response_v4(payload):
    """(correlation id, [(partition, error, high watermark, records bytes)])."""
    correlation_id, _throttle, topics = struct.unpack(">iii", payload[:12])
    pos = 12
    out = []
    for _ in range(topics):
        (n,) = struct.unpack(">h", payload[pos:pos + 2])
        pos += 2 + n
        (partitions,) = struct.unpack(">i", payload[pos:pos + 4])
        pos += 4
        for _ in range(partitions):
            index, error, high_watermark, _lso, aborted = struct.unpack(">ihqqi", payload[pos:pos + 26])
            pos += 26 + max(aborted, 0) * 16
            (size,) = struct.unpack(">i", payload[pos:pos + 4])
            pos += 4
            records = payload[pos:pos + max(size, 0)] if size >= 0 else None
            pos += max(size, 0)
            out.append((index, error, high_watermark, records))
    return correlation_id, out


def parse_fetch_response_v4_detail(payload):
    """[(partition, error, high watermark, last stable offset, aborted, records)];
    aborted is None (null) or a list of (producer id, first offset)."""
    _correlation_id, _throttle, topics = struct.unpack(">iii", payload[:12])
    pos = 12
    out = []
    for _ in range(topics):
        (n,) = struct.unpack(">h", payload[pos:pos + 2])
        pos += 2 + n
        (partitions,) = struct.unpack(">i", payload[pos:pos + 4])
        pos += 4
        for _ in range(partitions):
            index, error, high_watermark, lso, count = struct.unpack(">ihqqi", payload[pos:pos + 26])
            pos += 26
            aborted = None
            if count >= 0:
                aborted = [struct.unpack(">qq", payload[pos + 16 * i:pos + 16 * i + 16]) for i in range(count)]
                pos += 16 * count
            (size,) = struct.unpack(">i", payload[pos:pos + 4])
            pos += 4
            records = payload[pos:pos + max(size, 0)]
            pos += max(size, 0)
            out.append((index, error, high_watermark, lso, aborted, records))
    return out


def write_txn_markers_request_v0(markers, correlation_id=1):
    """markers: [(producer id, epoch, commit, topic, [partitions], coordinator epoch)]."""
    body = struct.pack(">i", len(markers))
    for producer_id, epoch, commit, topic, partitions, coordinator_epoch in markers:
        body += struct.pack(">qhb", producer_id, epoch, 1 if commit else 0)
        body += struct.pack(">i", 1) + _string(topic) + struct.pack(">i", len(partitions))
        body += b"".join(struct.pack(">i", p) for p in partitions)
        body += struct.pack(">i", coordinator_epoch)
    return frame(request_header(27, 0, correlation_id) + body)


def parse_write_txn_markers_response_v0(payload):
    """[(producer id, topic, partition, error)]."""
    pos = 4
    (markers,) = struct.unpack(">i", payload[pos:pos + 4])
    pos += 4
    out = []
    for _ in range(markers):
        producer_id, topics = struct.unpack(">qi", payload[pos:pos + 12])
        pos += 12
        for _ in range(topics):
            (n,) = struct.unpack(">h", payload[pos:pos + 2])
            name = payload[pos + 2:pos + 2 + n].decode()
            pos += 2 + n
            (partitions,) = struct.unpack(">i", payload[pos:pos + 4])
            pos += 4
            for _ in range(partitions):
                partition, error = struct.unpack(">ih", payload[pos:pos + 6])
                pos += 6
                out.append((producer_id, name, partition, error))
    return out


def txn_offset_commit_request_v0(transactional_id, group, producer_id, epoch, topic, offsets, correlation_id=1):
    """offsets: {partition: offset}."""
    body = _string(transactional_id) + _string(group) + struct.pack(">qh", producer_id, epoch)
    body += struct.pack(">i", 1) + _string(topic) + struct.pack(">i", len(offsets))
    for partition, offset in offsets.items():
        body += struct.pack(">iqh", partition, offset, -1)  # null metadata
    return frame(request_header(28, 0, correlation_id) + body)


def parse_txn_offset_commit_response_v0(payload):
    """[(topic, partition, error)]."""
    pos = 8  # correlation id, throttle
    (topics,) = struct.unpack(">i", payload[pos:pos + 4])
    pos += 4
    out = []
    for _ in range(topics):
        (n,) = struct.unpack(">h", payload[pos:pos + 2])
        name = payload[pos + 2:pos + 2 + n].decode()
        pos += 2 + n
        (partitions,) = struct.unpack(">i", payload[pos:pos + 4])
        pos += 4
        for _ in range(partitions):
            partition, error = struct.unpack(">ih", payload[pos:pos + 6])
            pos += 6
            out.append((name, partition, error))
    return out


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


def _read_uvarint(data, pos):
    shift = result = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def parse_describe_producers_response_v0(payload):
    """{partition: (error, [(producer id, epoch, last sequence, last timestamp,
    coordinator epoch, current txn start offset)])} of the first topic."""
    pos = 4 + 1  # correlation id, header tags (none)
    pos += 4  # throttle
    topics, pos = _read_uvarint(payload, pos)
    out = {}
    for _ in range(topics - 1):
        n, pos = _read_uvarint(payload, pos)
        pos += n - 1
        partitions, pos = _read_uvarint(payload, pos)
        for _ in range(partitions - 1):
            index, error = struct.unpack(">ih", payload[pos:pos + 6])
            pos += 6
            n, pos = _read_uvarint(payload, pos)  # error message, compact nullable
            pos += max(n - 1, 0)
            producers, pos = _read_uvarint(payload, pos)
            states = []
            for _ in range(producers - 1):
                states.append(struct.unpack(">qiiqiq", payload[pos:pos + 36]))
                pos += 36 + 1  # tags
            pos += 1  # partition tags
            out[index] = (error, states)
        pos += 1  # topic tags
    return out


def batch_offsets(records):
    """(base offset, last offset, is control) of every whole batch."""
    out = []
    pos = 0
    while pos + 61 <= len(records):
        base, batch_length = struct.unpack(">qi", records[pos:pos + 12])
        end = pos + 12 + batch_length
        if end > len(records):
            break
        (attributes, last_delta) = struct.unpack(">hi", records[pos + 21:pos + 27])
        out.append((base, base + last_delta, bool(attributes & 0x20)))
        pos = end
    return out


def batch_values(records):
    """The values of every record in uncompressed batches (for checks);
    control batches (transaction markers) are skipped."""
    values = []
    pos = 0
    while pos + 61 <= len(records):
        (batch_length,) = struct.unpack(">i", records[pos + 8:pos + 12])
        end = pos + 12 + batch_length
        if end > len(records):
            break
        (attributes,) = struct.unpack(">h", records[pos + 21:pos + 23])
        if attributes & 0x20:
            pos = end
            continue
        (count,) = struct.unpack(">i", records[pos + 57:pos + 61])
        rpos = pos + 61
        for _ in range(count):
            length, rpos = _read_varint(records, rpos)
            body_end = rpos + length
            rpos += 1  # attributes
            _, rpos = _read_varint(records, rpos)  # timestamp delta
            _, rpos = _read_varint(records, rpos)  # offset delta
            key_len, rpos = _read_varint(records, rpos)
            rpos += max(key_len, 0)
            value_len, rpos = _read_varint(records, rpos)
            values.append(records[rpos:rpos + value_len] if value_len >= 0 else None)
            rpos = body_end
        pos = end
    return values


def _read_varint(data, pos):
    shift = 0
    z = 0
    while True:
        byte = data[pos]
        pos += 1
        z |= (byte & 0x7F) << shift
        if not byte & 0x80:
            break
        shift += 7
    return (z >> 1) ^ -(z & 1), pos


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
    _correlation_id, _throttle, error, session_id, topics = struct.unpack(">iihii", payload[:18])
    pos = 18
    out = {}
    for _ in range(topics):
        (n,) = struct.unpack(">h", payload[pos:pos + 2])
        topic = payload[pos + 2:pos + 2 + n].decode()
        pos += 2 + n
        (partitions,) = struct.unpack(">i", payload[pos:pos + 4])
        pos += 4
        for _ in range(partitions):
            index, perror, high_watermark, _lso, _log_start, aborted = struct.unpack(">ihqqqi", payload[pos:pos + 34])
            pos += 34 + max(aborted, 0) * 16
            (size,) = struct.unpack(">i", payload[pos:pos + 4])
            pos += 4
            out[(topic, index)] = (perror, high_watermark, payload[pos:pos + max(size, 0)])
            pos += max(size, 0)
    return error, session_id, out


def describe_log_dirs_request_v1(correlation_id=1):
    """Every partition (a null topic list)."""
    return frame(request_header(35, 1, correlation_id) + struct.pack(">i", -1))


def parse_describe_log_dirs_response_v1(payload):
    """{log dir: {(topic, partition): size}}."""
    _correlation_id, _throttle, results = struct.unpack(">iii", payload[:12])
    pos = 12
    out = {}
    for _ in range(results):
        _error, n = struct.unpack(">hh", payload[pos:pos + 4])
        log_dir = payload[pos + 4:pos + 4 + n].decode()
        pos += 4 + n
        out[log_dir] = {}
        (topics,) = struct.unpack(">i", payload[pos:pos + 4])
        pos += 4
        for _ in range(topics):
            (n,) = struct.unpack(">h", payload[pos:pos + 2])
            topic = payload[pos + 2:pos + 2 + n].decode()
            pos += 2 + n
            (partitions,) = struct.unpack(">i", payload[pos:pos + 4])
            pos += 4
            for _ in range(partitions):
                partition, size, _lag, _future = struct.unpack(">iqq?", payload[pos:pos + 21])
                pos += 21
                out[log_dir][(topic, partition)] = size
    return out
