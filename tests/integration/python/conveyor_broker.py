"""Starts the real conveyor binary for integration tests.

The broker listens on 127.0.0.1 port 0 (the kernel picks a free port) with a
fresh data directory; the test waits for the start-up log line that names
the bound port — an event, not a sleep — and stops it with SIGTERM (which
must exit 0) or SIGKILL.
"""
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

STARTED = re.compile(r"started: .* listeners=PLAINTEXT://127\.0\.0\.1:(\d+)")


def binary():
    path = os.environ.get("CONVEYOR_BIN")
    if not path:
        raise RuntimeError("CONVEYOR_BIN must point at the conveyor binary")
    return path


class Broker:
    def __init__(self, *overrides, data_dir=None):
        self.overrides = list(overrides)
        self.own_data_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="conveyor-it-")
        self.process = None
        self.port = None
        self.log_lines = []
        self._logged = threading.Condition()
        self._lines = queue.Queue()

    # -- lifecycle --------------------------------------------------------
    def start(self, timeout=30, port=0):
        """Starts the broker; `port` 0 lets the kernel pick one (pass the old
        port to restart where connected clients will look for it)."""
        args = [binary(), "--set", f"listeners=PLAINTEXT://127.0.0.1:{port}", "--set", f"log.dirs={self.data_dir}"]
        for o in self.overrides:
            args += ["--set", o]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self._lines = queue.Queue()
        threading.Thread(target=self._drain, args=(self.process, self._lines), daemon=True).start()
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise RuntimeError("broker did not start:\n" + "\n".join(self.log_lines))
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError("broker exited during start-up:\n" + "\n".join(self.log_lines))
            match = STARTED.search(line)
            if match:
                self.port = int(match.group(1))
                return self

    def _drain(self, process, lines):
        with process.stderr:
            for line in process.stderr:
                line = line.rstrip("\n")
                with self._logged:
                    self.log_lines.append(line)
                    self._logged.notify_all()
                lines.put(line)
        lines.put(None)

    def stop(self, timeout=30):
        """SIGTERM, then the exit code (a clean shutdown is 0)."""
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self.process = None
        return code

    def kill(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def restart(self):
        assert self.stop() == 0
        return self.start()

    def cleanup(self):
        self.kill()
        if self.own_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # -- helpers ----------------------------------------------------------
    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def log_contains(self, text, timeout=10):
        """Whether the broker logs a line containing `text` within `timeout`
        seconds (the line may still be in the pipe when the event that caused
        it, say a closed connection, reaches the test)."""
        deadline = time.monotonic() + timeout
        with self._logged:
            while not any(text in line for line in self.log_lines):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._logged.wait(remaining)
            return True
