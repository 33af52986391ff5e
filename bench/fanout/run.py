"""Live-wall fan-out benchmark: Backchannel and a plain Flask-SocketIO server, same run.

For each load ``NxR`` and each server: start the server fresh, connect N raw Socket.IO
websocket clients (``loadgen.py``, spread over a few processes) to ``/live`` and join them
to ``conference:nrc26``, publish R posts/s for T seconds over HTTP, wait for delivery to
finish, then report delivered, lost, duplicated, latency p50/p99 (from the writer's
monotonic clock just before its HTTP request to the client's receive, same host), the
server's CPU microseconds per delivered post (utime+stime from ``/proc/<pid>/stat``) and
RSS growth per connection.

Backchannel runs its real posting path: ``backchannel serve`` on a copy of the demo
database, posts made by the demo account ``ren`` with ``POST
/api/v1/conferences/nrc26/posts`` and an ``Idempotency-Key``, validation, PHI check,
duplicate check, sequence numbers and after-commit publishing all on. Only the per-account
HTTP rate limiter is off (one account posting 50/s is the load, not an abuse).

    .venv/bin/python bench/fanout/run.py --loads 1000x10,1000x50,5000x10 --seconds 20
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from array import array
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PY = sys.executable
CLK_TCK = os.sysconf("SC_CLK_TCK")
ROOM = "conference:nrc26"
WRITER = ("ren", "nrc26-demo-pass")
CLI = "from server.cli import main; main()"
CALIBRATION_RATE, CALIBRATION_SECONDS = 25, 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_split(pid: int) -> tuple[int, int]:
    """(utime, stime) of a process, in clock ticks."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    rest = stat[stat.rindex(")") + 2 :].split()
    return int(rest[11]), int(rest[12])


def _cpu_ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks."""
    return sum(_cpu_split(pid))


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, to tell whether it was saturated."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _pct(values: array[int], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))] / 1000.0


@dataclass
class Result:
    server: str
    clients: int
    rate: int
    seconds: int
    connected: int = 0
    connect_failed: int = 0
    posts_ok: int = 0
    posts_failed: int = 0
    post_rate: float = 0.0
    expected: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    dropped_clients: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    commit_p50_ms: float = 0.0
    commit_p99_ms: float = 0.0
    max_ms: float = 0.0
    post_rtt_p50_ms: float = 0.0
    post_rtt_p99_ms: float = 0.0
    cpu_us_per_delivery: float = 0.0
    post_cpu_us: float = 0.0
    fanout_cpu_us_per_delivery: float = 0.0
    #: Share of the server's CPU spent in the kernel (socket sends) over the window.
    kernel_share: float = 0.0
    server_cpu_pct: float = 0.0
    loadgen_cpu_pct: float = 0.0
    machine_busy_pct: float = 0.0
    kb_per_connection: float = 0.0
    rss_base_mb: float = 0.0
    rss_end_mb: float = 0.0
    drain_s: float = 0.0
    notes: list[str] = field(default_factory=list)


class Server:
    """A server process under test and how to post to it."""

    def __init__(self, kind: str, workdir: Path, args: argparse.Namespace) -> None:
        self.kind = kind
        self.port = _free_port()
        self.workdir = workdir
        self.args = args
        self.token = ""
        self.log = workdir / f"{kind}-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, template: Path | None) -> None:
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        if self.kind == "plain":
            cmd = [PY, str(HERE / "plain_server.py"), "--port", str(self.port)]
            if self.args.plain_ws_path:
                env["PYTHONPATH"] = self.args.plain_ws_path
        else:
            assert template is not None
            instance = self.workdir / f"instance-{self.port}"
            shutil.copytree(template, instance)
            env.update(
                BACKCHANNEL_INSTANCE=str(instance),
                RATELIMIT_ENABLED="0",
                IMPORT_REFRESH_ENABLED="0",
                LOG_LEVEL="WARNING",
                SECRET_KEY="bench-secret",
            )
            env.pop("DATABASE_URL", None)
            env.pop("REDIS_URL", None)
            for item in self.args.bc_env:
                key, _, value = item.partition("=")
                env[key] = value
            cmd = [PY, "-c", CLI, "serve", "--port", str(self.port), "--no-upgrade"]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        path = "/stats" if self.kind == "plain" else "/api/v1/conferences/nrc26"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} server exited:\n{self.log.read_text()[-3000:]}")
            try:
                status, _ = self.request("GET", path)
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{self.kind} server did not start")
        if self.kind == "backchannel":
            status, body = self.request(
                "POST", "/api/v1/auth/token", {"username": WRITER[0], "password": WRITER[1]}
            )
            if status not in (200, 201):
                raise RuntimeError(f"token: {status} {body!r}")
            self.token = json.loads(body)["token"]

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        conn: http.client.HTTPConnection | None = None,
    ) -> tuple[int, bytes]:
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            hdrs = {"Content-Type": "application/json", **(headers or {})}
            payload = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=payload, headers=hdrs)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            if own:
                conn.close()

    def post(self, conn: http.client.HTTPConnection, text: str) -> int:
        if self.kind == "plain":
            status, _ = self.request("POST", "/publish", {"room": ROOM, "text": text}, conn=conn)
        else:
            status, _ = self.request(
                "POST",
                "/api/v1/conferences/nrc26/posts",
                {"text": text},
                {"Authorization": f"Bearer {self.token}", "Idempotency-Key": str(uuid.uuid4())},
                conn=conn,
            )
        return status

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class LoadGen:
    def __init__(self, port: int, clients: int, max_posts: int, lat_file: Path) -> None:
        self.lat_file = lat_file
        self.proc = subprocess.Popen(
            [
                PY,
                str(HERE / "loadgen.py"),
                "--port",
                str(port),
                "--clients",
                str(clients),
                "--room",
                ROOM,
                "--max-posts",
                str(max_posts),
                "--lat-file",
                str(lat_file),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("load generator exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, command: str) -> dict[str, Any]:
        stdin: IO[str] | None = self.proc.stdin
        assert stdin is not None
        stdin.write(command + "\n")
        stdin.flush()
        return self.read()

    def cpu_ticks(self) -> int:
        try:
            return _cpu_ticks(self.proc.pid)
        except OSError:
            return 0

    def close(self) -> None:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(15)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


def _publish(
    server: Server, rate: int, seconds: int, writers: int
) -> tuple[list[int], list[int], list[float], float]:
    """Post ``rate`` posts/s for ``seconds`` from a few keep-alive connections on a schedule."""
    total = rate * seconds
    ok: list[int] = []
    failed: list[int] = []
    rtts: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))
    start = time.monotonic() + 0.2

    def work() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            t_us = time.monotonic_ns() // 1000
            text = f"Fan-out bench k={i} t={t_us} plenary notes on the imaging workflow #nrc26"
            try:
                status = server.post(conn, text)
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            rtt = (time.monotonic_ns() // 1000 - t_us) / 1000.0
            with lock:
                (ok if status == 201 else failed).append(i)
                rtts.append(rtt)
        conn.close()

    threads = [threading.Thread(target=work) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    return ok, failed, rtts, elapsed


def run_one(
    kind: str, clients: int, rate: int, args: argparse.Namespace, workdir: Path, template: Path
) -> Result:
    result = Result(server=kind, clients=clients, rate=rate, seconds=args.seconds)
    server = Server(kind, workdir, args)
    gens: list[LoadGen] = []
    try:
        server.start(template)
        print(f"   {kind} server pid {server.pid} on port {server.port}", flush=True)
        warm = LoadGen(server.port, 10, 8, Path(os.devnull))
        warm.read()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        server.post(conn, "Fan-out bench warm-up post k=0 t=0 #nrc26")
        conn.close()
        warm.close()
        # What one post costs the server with nobody listening (the posting path alone).
        calib_cpu = _cpu_ticks(server.pid)
        calib_ok, _, _, _ = _publish(server, CALIBRATION_RATE, CALIBRATION_SECONDS, args.writers)
        calib_cpu = _cpu_ticks(server.pid) - calib_cpu
        result.post_cpu_us = calib_cpu * 1e6 / CLK_TCK / max(1, len(calib_ok))
        time.sleep(1.0)
        rss_base = _rss_kb(server.pid)
        result.rss_base_mb = rss_base / 1024
        max_posts = rate * args.seconds + 16
        procs = max(1, min(args.procs, clients))
        for n in range(procs):
            share = clients // procs + (1 if n < clients % procs else 0)
            gens.append(LoadGen(server.port, share, max_posts, workdir / f"lat-{kind}-{n}.bin"))
        for gen in gens:
            ready = gen.read()
            result.connected += ready["ready"]
            result.connect_failed += ready["failed"]
            if ready["errors"]:
                result.notes.append(f"connect errors: {ready['errors'][:2]}")
        time.sleep(1.0)
        rss_connected = _rss_kb(server.pid)
        result.kb_per_connection = (rss_connected - rss_base) / max(1, result.connected)

        sys0 = _cpu_split(server.pid)[1]
        cpu0, gen_cpu0, busy0 = (
            _cpu_ticks(server.pid),
            sum(g.cpu_ticks() for g in gens),
            _machine_busy(),
        )
        t0 = time.monotonic()
        ok, failed, rtts, elapsed = _publish(server, rate, args.seconds, args.writers)
        result.posts_ok, result.posts_failed = len(ok), len(failed)
        result.post_rate = len(ok) / elapsed if elapsed > 0 else 0.0
        result.expected = len(ok) * result.connected
        drain0 = time.monotonic()
        last, last_change = -1, time.monotonic()
        while True:
            received = sum(g.ask("status")["received"] for g in gens)
            now = time.monotonic()
            if received != last:
                last, last_change = received, now
            if received >= result.expected or now - last_change > 3 or now - drain0 > 30:
                break
            time.sleep(0.1)
        result.drain_s = time.monotonic() - drain0
        window = time.monotonic() - t0
        sys1 = _cpu_split(server.pid)[1]
        cpu1, gen_cpu1, busy1 = (
            _cpu_ticks(server.pid),
            sum(g.cpu_ticks() for g in gens),
            _machine_busy(),
        )
        result.rss_end_mb = _rss_kb(server.pid) / 1024

        expected_file = workdir / f"expected-{kind}.json"
        expected_file.write_text(json.dumps({"ok": ok}))
        latencies = array("q")
        commit_latencies = array("q")
        for gen in gens:
            report = gen.ask(f"report {expected_file}")
            result.delivered += report["deliveries"]
            result.lost += report["lost"]
            result.duplicated += report["duplicated"]
            result.unexpected += report["unexpected"]
            result.dropped_clients += report["closed"]
            with open(gen.lat_file, "rb") as fh:
                latencies.frombytes(fh.read())
            with open(f"{gen.lat_file}.commit", "rb") as fh:
                commit_latencies.frombytes(fh.read())
        ordered = array("q", sorted(latencies))
        result.p50_ms, result.p99_ms = _pct(ordered, 0.50), _pct(ordered, 0.99)
        result.max_ms = ordered[-1] / 1000.0 if ordered else float("nan")
        commit_sorted = array("q", sorted(commit_latencies))
        result.commit_p50_ms = _pct(commit_sorted, 0.50)
        result.commit_p99_ms = _pct(commit_sorted, 0.99)
        rtt_sorted = array("q", sorted(int(r * 1000) for r in rtts))
        result.post_rtt_p50_ms = _pct(rtt_sorted, 0.50)
        result.post_rtt_p99_ms = _pct(rtt_sorted, 0.99)
        cpu_us = (cpu1 - cpu0) * 1e6 / CLK_TCK
        result.kernel_share = (sys1 - sys0) / max(1, cpu1 - cpu0)
        result.cpu_us_per_delivery = cpu_us / max(1, result.delivered)
        fanout_us = cpu_us - result.post_cpu_us * (result.posts_ok + result.posts_failed)
        result.fanout_cpu_us_per_delivery = fanout_us / max(1, result.delivered)
        result.server_cpu_pct = 100 * cpu_us / 1e6 / window
        result.loadgen_cpu_pct = 100 * (gen_cpu1 - gen_cpu0) / CLK_TCK / window
        busy = busy1[0] - busy0[0]
        result.machine_busy_pct = 100 * busy / max(1, busy1[1] - busy0[1])
    finally:
        for gen in gens:
            gen.close()
        server.stop()
    return result


def _versions() -> dict[str, str]:
    names = [
        "Flask-SocketIO",
        "python-socketio",
        "python-engineio",
        "gevent",
        "greenlet",
        "simple-websocket",
        "uvloop",
    ]
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "-"
    return found


def _machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return (
        f"{os.cpu_count()} cores ({model}), Linux {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def _table(results: list[Result]) -> str:
    head = (
        "| N x R | server | delivered | lost | dup | p50 ms | p99 ms | commit p50/p99 ms "
        "| CPU µs/delivery "
        "| of which fan-out | CPU µs/post (no listeners) | KB/conn | server CPU % "
        "| machine busy % |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    rows = [head]
    for r in results:
        rows.append(
            f"| {r.clients:,} x {r.rate} | {r.server} | {r.delivered:,}/{r.expected:,} | {r.lost} "
            f"| {r.duplicated} | {r.p50_ms:.1f} | {r.p99_ms:.1f} "
            f"| {r.commit_p50_ms:.1f}/{r.commit_p99_ms:.1f} | {r.cpu_us_per_delivery:.1f} "
            f"| {r.fanout_cpu_us_per_delivery:.1f} | {r.post_cpu_us:.0f} "
            f"| {r.kb_per_connection:.1f} | {r.server_cpu_pct:.0f} | {r.machine_busy_pct:.0f} |"
        )
    return "\n".join(rows)


def _ratios(results: list[Result]) -> str:
    lines = []
    for r in results:
        if r.server == "plain":
            continue
        base = next(
            (
                p
                for p in results
                if p.server == "plain" and (p.clients, p.rate) == (r.clients, r.rate)
            ),
            None,
        )
        if base is None or base.cpu_us_per_delivery == 0:
            continue
        lines.append(
            f"{r.clients} x {r.rate}: {r.server}/plain CPU per delivery "
            f"{r.cpu_us_per_delivery / base.cpu_us_per_delivery:.2f} (fan-out part "
            f"{r.fanout_cpu_us_per_delivery / max(0.1, base.fanout_cpu_us_per_delivery):.2f}), p99 "
            f"{r.p99_ms / base.p99_ms:.2f}, KB/conn "
            f"{r.kb_per_connection / max(0.1, base.kb_per_connection):.2f}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--loads", default="1000x10,1000x50,5000x10", help="NxR,NxR,...")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--servers", default="plain,backchannel")
    parser.add_argument("--procs", type=int, default=3, help="load-generator processes")
    parser.add_argument("--writers", type=int, default=8, help="posting connections")
    parser.add_argument(
        "--plain-ws-path",
        default="",
        help="a folder on PYTHONPATH for the plain server only, e.g. one where gevent-websocket "
        "was installed with 'pip install --target DIR gevent-websocket==0.10.1'",
    )
    parser.add_argument(
        "--bc-env", action="append", default=[], help="KEY=VALUE for the Backchannel server"
    )
    parser.add_argument("--json", default="", help="also write the results here")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    loads = [tuple(int(x) for x in item.lower().split("x")) for item in args.loads.split(",")]
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    needed = max(n for n, _ in loads) + 200
    if soft < needed:
        sys.exit(f"open files limit {soft} < {needed}: raise it (ulimit -n)")

    workdir = Path(tempfile.mkdtemp(prefix="fanout-"))
    template = workdir / "template"
    if "backchannel" in servers:
        env = dict(os.environ, BACKCHANNEL_INSTANCE=str(template), LOG_LEVEL="WARNING")
        env.pop("DATABASE_URL", None)
        subprocess.run([PY, "-c", CLI, "demo"], cwd=ROOT, env=env, check=True, capture_output=True)

    print(f"machine: {_machine()}; open files limit {soft}")
    print(
        f"versions: {_versions()}; plain websocket layer: "
        f"{'gevent-websocket' if args.plain_ws_path else 'simple-websocket'}"
    )
    results: list[Result] = []
    try:
        for clients, rate in loads:
            for kind in servers:
                print(f"-- {clients} x {rate} posts/s x {args.seconds}s: {kind}", flush=True)
                r = run_one(kind, clients, rate, args, workdir, template)
                results.append(r)
                print(
                    f"   connected {r.connected} (failed {r.connect_failed}), posts {r.posts_ok} "
                    f"ok {r.posts_failed} failed at {r.post_rate:.1f}/s, delivered "
                    f"{r.delivered}/{r.expected}, lost {r.lost}, dup {r.duplicated}, unexpected "
                    f"{r.unexpected}, dropped {r.dropped_clients}, p50 {r.p50_ms:.1f} ms, p99 "
                    f"{r.p99_ms:.1f} ms, max {r.max_ms:.1f} ms, commit->receive p50/p99 "
                    f"{r.commit_p50_ms:.1f}/{r.commit_p99_ms:.1f} ms, post rtt p50/p99 "
                    f"{r.post_rtt_p50_ms:.1f}/{r.post_rtt_p99_ms:.1f} ms, CPU "
                    f"{r.cpu_us_per_delivery:.1f} µs/delivery (fan-out "
                    f"{r.fanout_cpu_us_per_delivery:.1f}, a post alone {r.post_cpu_us:.0f} µs; "
                    f"{r.server_cpu_pct:.0f}% of a core, "
                    f"{100 * r.kernel_share:.0f}% in the kernel; "
                    f"load generators {r.loadgen_cpu_pct:.0f}%; machine {r.machine_busy_pct:.0f}% "
                    f"busy), {r.kb_per_connection:.1f} KB/conn (RSS {r.rss_base_mb:.0f} -> "
                    f"{r.rss_end_mb:.0f} MB), drain {r.drain_s:.1f}s {' '.join(r.notes)}",
                    flush=True,
                )
    finally:
        print()
        print(_table(results))
        print()
        print(_ratios(results))
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {
                        "machine": _machine(),
                        "versions": _versions(),
                        "args": vars(args),
                        "results": [r.__dict__ for r in results],
                    },
                    indent=2,
                )
            )
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
