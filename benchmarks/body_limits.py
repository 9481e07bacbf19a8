"""Memory a server process needs for the largest body each kind of request may send.

Starts a fresh `phonebank serve` (no dialer) for each kind, sends it one body at that kind's
limit (PHONEBANK_MAX_*_BODY_BYTES, or `--scale` of it), and prints the process's peak resident
memory (VmHWM from /proc) before and after, with the time the request took and its status.

    python benchmarks/body_limits.py                         # every kind at its full limit
    python benchmarks/body_limits.py --kinds obi_bulk --scale 0.25
"""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table

from phonebank.config import Settings

console = Console(width=120)
KINDS = ("json", "upload", "obi_bulk")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _peak_mb(pid: int) -> float:
    """The process's peak resident set so far, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else float("nan")


def _phone(n: int) -> str:
    return f"+1415{200 + n // 10_000 % 800:03d}{n % 10_000:04d}"


def json_body(size: int) -> tuple[str, bytes, str]:
    """A person whose custom fields fill `size` bytes."""
    fields: dict[str, str] = {}
    used, n = 100, 0
    while used + 40 < size:
        fields[f"field{n}"] = "v" * 20
        used += len(f'"field{n}": "{"v" * 20}", ')
        n += 1
    body = json.dumps({"given_name": "Big", "custom_fields": fields}).encode()
    return "/api/v1/people", body, "application/json"


def csv_body(size: int) -> tuple[str, bytes, str]:
    """A CSV of people, one number each, filling `size` bytes (sent as a form upload)."""
    rows = ["First Name,Phone"]
    used, n = 20, 0
    while used + 30 < size - 500:
        row = f"Person {n},{_phone(n)}"
        rows.append(row)
        used += len(row) + 1
        n += 1
    return "/api/v1/people/import", ("\n".join(rows) + "\n").encode(), "text/csv"


def obi_body(size: int) -> tuple[str, bytes, str]:
    """An OBI bulk add of customers, one number each, filling `size` bytes."""
    items: list[bytes] = []
    used, n = 2, 0
    while True:
        item = json.dumps({"externalId": f"e{n}", "numbers": _phone(n)}).encode()
        if used + len(item) + 1 > size:
            break
        items.append(item)
        used += len(item) + 1
        n += 1
    return "{campaign}/customers/list", b"[" + b",".join(items) + b"]", "application/json"


BODIES: dict[str, Callable[[int], tuple[str, bytes, str]]] = {
    "json": json_body,
    "upload": csv_body,
    "obi_bulk": obi_body,
}


def _start(folder: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, str]:
    port = _free_port()
    log = folder / f"server-{port}.log"
    environment = {
        **os.environ,
        "PHONEBANK_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/limits-{port}.db",
        "PHONEBANK_RUN_DIALER": "false",
        "PHONEBANK_RUN_WEBHOOKS": "false",
        "PHONEBANK_RATE_LIMIT_PER_MINUTE": "0",
        "COLUMNS": "300",
        **env,
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "phonebank.cli.main", "serve", "--demo", "--port", str(port)],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.3)
    keys = re.findall(r"Admin API key \(new at every start\): (pb_\S+)", log.read_text())
    if not keys:
        process.terminate()
        raise RuntimeError(f"the server did not start:\n{log.read_text()}")
    return process, base, keys[-1]


def measure(kind: str, size: int, folder: Path) -> tuple[int, float, float, float, int]:
    """(body bytes, peak MB before, peak MB after, seconds, status) of one body of `kind`."""
    process, base, key = _start(folder, {})
    try:
        client = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=3600
        )
        path, body, media_type = BODIES[kind](size)
        if kind == "obi_bulk":
            campaign = client.post("/api/v1/campaigns", json={"name": "Bulk"}).json()["id"]
            path = f"/obi/campaigns/{campaign.replace('-', '')}" + path.removeprefix("{campaign}")
        before = _peak_mb(process.pid)
        started = time.perf_counter()
        if kind == "upload":
            response = client.post(path, files={"file": ("people.csv", body, media_type)})
        else:
            response = client.post(path, content=body, headers={"Content-Type": media_type})
        seconds = time.perf_counter() - started
        return len(body), before, _peak_mb(process.pid), seconds, response.status_code
    finally:
        process.terminate()
        process.wait(timeout=30)


def main(
    kinds: Annotated[str, typer.Option(help="Comma-separated: json, upload, obi_bulk.")] = ",".join(
        KINDS
    ),
    scale: Annotated[float, typer.Option(help="Share of each limit to send.")] = 1.0,
) -> None:
    """Print each kind's limit, the body sent, and the server's memory peak."""
    settings = Settings()
    limits = {
        "json": settings.max_json_body_bytes,
        "upload": settings.max_upload_body_bytes,
        "obi_bulk": settings.max_obi_bulk_body_bytes,
    }
    table = Table(title="Server memory for the largest allowed bodies")
    for column in ("kind", "limit MB", "body MB", "peak MB before", "peak MB after", "s", "status"):
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds.split(","):
            size = int(limits[kind] * scale)
            sent, before, after, seconds, status = measure(kind, size, Path(folder))
            console.print(f"{kind}: {sent / 2**20:.1f} MB, peak {after:.0f} MB, {seconds:.1f} s")
            cells = (limits[kind] / 2**20, sent / 2**20, before, after, seconds)
            table.add_row(kind, *(f"{cell:.1f}" for cell in cells), str(status))
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
