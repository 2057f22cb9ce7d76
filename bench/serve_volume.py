"""`make bench-serve` (python -m bench.serve_volume): the local stack at volume, measured as a user meets it.

Starts `energy-pipeline serve` (a separate process, its real HTTP server), stores one file of
SERVE_READINGS readings over SERVE_SITES sites through the pipeline with `energy-pipeline run
--endpoint-url` (the store rate), then times the query API over HTTP: readings pages, a one-year daily
summary, one site read whole, 200 GETs with 50 in flight, and `charts` for every site.

SERVE_READINGS=1000000  SERVE_SITES=100  SERVE_OUT=bench-serve.json  BENCH_DIR=/tmp/energy-bench
SERVE_CHART_SITES=N: chart only the first N sites, the time extrapolated to 100 (default: every site;
0: no charts, e.g. while measuring the store)
"""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import data
from energy_pipeline import synth_files

FILES = Path(os.environ.get("BENCH_DIR", "/tmp/energy-bench"))
CLI = [sys.executable, "-m", "energy_pipeline.cli"]
GOALS = {
    "store_readings_per_s": (">=", 10_000),
    "readings_page_p95_ms": ("<=", 100),
    "summary_one_year_daily_s": ("<=", 1),
    "read_10000_readings_s": ("<=", 2),
    "charts_100_sites_s": ("<=", 60),
    "concurrent_200_gets_50_in_flight_unanswered": ("<=", 0),
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, timeout_s: float = 60) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _wait_for(url: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            _get(url, 5)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"serve did not answer at {url}")


def volume_file(readings: int, sites: int) -> Path:
    path = FILES / f"serve-{readings}-{sites}.json"
    if not path.exists():
        FILES.mkdir(parents=True, exist_ok=True)
        synth_files.write_readings(path, data.readings(readings, sites=sites))
    return path


def _timed(action: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


class _Figures(dict[str, Any]):
    """Each figure is also printed (stderr) as it is measured: a run cut short keeps what it measured."""

    def __setitem__(self, name: str, value: Any) -> None:
        print(f"{name}: {value}", file=sys.stderr, flush=True)
        super().__setitem__(name, value)


def measure(api: str, aws: str, path: Path, readings: int, server_pid: int | None = None) -> dict[str, Any]:
    figures = _Figures()
    serve_cpu = _process_cpu(server_pid)
    store_s, stored = _timed(lambda: subprocess.run(
        [*CLI, "run", "--endpoint-url", aws, "--timeout", "3600", str(path)],
        capture_output=True, text=True, check=False))
    serve_cpu_after = _process_cpu(server_pid)
    figures["store_s"] = round(store_s, 1)
    figures["store_readings_per_s"] = round(readings / store_s)
    figures["store_exit"] = stored.returncode
    if serve_cpu is not None and serve_cpu_after is not None:  # steadier than the rate on a shared machine
        figures["store_serve_cpu_us_per_reading"] = round((serve_cpu_after - serve_cpu) * 1e6 / readings, 1)
    sites = _all_sites(api)
    figures["sites"] = len(sites)
    figures["readings_page_p95_ms"] = _page_p95_ms(api, sites)
    site = sites[0]
    figures["summary_one_year_daily_s"] = round(_timed(lambda: _get(
        f"{api}/sites/{site}/summary?resolution=day&from=2024-01-01&to=2024-12-31"))[0], 3)
    read_s, count = _timed(lambda: _read_all(api, site))
    figures["read_site_readings"] = count
    figures["read_10000_readings_s"] = round(read_s * 10_000 / max(count, 1), 3)
    figures["concurrent_200_gets_50_in_flight_unanswered"] = _concurrent(api, sites)
    if os.environ.get("SERVE_CHART_SITES") == "0":
        return figures
    for name, value in _charts_figures(api, sites, server_pid).items():
        figures[name] = value  # one at a time: each is printed as it is set
    return figures


def _charts_figures(api: str, sites: list[str], server_pid: int | None) -> dict[str, Any]:
    """`charts` for every site (SERVE_CHART_SITES=N: the first N), timed with its CPU and serve's.

    Below 100 sites the time is extrapolated to 100: one site is charted alone too, so the start-up
    (imports, worker processes, the fleet chart) counts once and each further site costs what it cost
    here ((t_N - t_1) / (N - 1)), instead of scaling the start-up with the sites.
    """
    charted = sites[: int(os.environ.get("SERVE_CHART_SITES") or len(sites))]
    figures: dict[str, Any] = {"charts_sites": len(charted)}
    load_before = os.getloadavg()[0]
    charts_s, code, client_cpu, serve_cpu = _chart(api, charted, len(charted) == len(sites), server_pid)
    figures |= {"charts_s": round(charts_s, 1), "charts_exit": code}
    # The machine's 1-minute load average before and after: on shared cores the figure moves with it.
    figures["charts_load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    figures["charts_client_cpu_s"] = round(client_cpu, 1)  # charts and its worker processes
    if serve_cpu is not None:
        figures["charts_serve_cpu_s"] = round(serve_cpu, 1)
    if len(charted) >= 100 or len(charted) < 2:
        figures["charts_100_sites_s"] = round(charts_s * 100 / max(len(charted), 1), 1)
        return figures
    one_s = _chart(api, charted[:1], False, None)[0]
    figures["charts_1_site_s"] = round(one_s, 1)
    figures["charts_100_sites_s"] = round(one_s + 99 * (charts_s - one_s) / (len(charted) - 1), 1)
    return figures


def _chart(
    api: str, sites: list[str], everything: bool, server_pid: int | None
) -> tuple[float, int, float, float | None]:
    """Seconds, exit code, CPU seconds of `charts` (with its workers) and of `serve` meanwhile."""
    only = [] if everything else [arg for site in sites for arg in ("--site", site)]
    children, serve = _children_cpu(), _process_cpu(server_pid)
    with tempfile.TemporaryDirectory() as out:
        seconds, drawn = _timed(lambda: subprocess.run(
            [*CLI, "charts", "--api", api, "--out", out, "--no-progress", *only],
            capture_output=True, text=True, check=False))
    serve_after = _process_cpu(server_pid)
    serve_cpu = serve_after - serve if serve is not None and serve_after is not None else None
    return seconds, drawn.returncode, _children_cpu() - children, serve_cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int | None) -> float | None:
    """User + system CPU seconds of a running process (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _all_sites(api: str) -> list[str]:
    sites: list[str] = []
    token = None
    while True:
        _, page = _get(f"{api}/sites?limit=1000" + (f"&next_token={token}" if token else ""))
        sites += [item["site_id"] for item in page["items"]]
        token = page.get("next_token")
        if not token:
            return sites


def _page_p95_ms(api: str, sites: list[str], pages: int = 200) -> float:
    picker = random.Random(7)
    times = []
    for _ in range(pages):
        day = picker.randint(1, 90)
        start = f"2024-{1 + day // 31:02d}-{1 + day % 28:02d}"
        elapsed, (status, _) = _timed(lambda s=start: _get(
            f"{api}/sites/{picker.choice(sites)}/readings?limit=100&from={s}"))
        if status == 200:
            times.append(elapsed * 1000)
    return round(statistics.quantiles(times, n=20)[-1], 1) if len(times) > 1 else float("nan")


def _read_all(api: str, site: str) -> int:
    count, token = 0, None
    while True:
        _, page = _get(f"{api}/sites/{site}/readings?limit=1000" + (f"&next_token={token}" if token else ""))
        count += len(page["items"])
        token = page.get("next_token")
        if not token:
            return count


def _concurrent(api: str, sites: list[str], total: int = 200, in_flight: int = 50) -> int:
    urls = [f"{api}/sites/{sites[n % len(sites)]}/readings?limit=100" for n in range(total)]

    def status(url: str) -> int:
        try:
            return _get(url, 60)[0]
        except OSError:
            return 0

    with ThreadPoolExecutor(in_flight) as pool:
        return sum(1 for code in pool.map(status, urls) if code != 200)


def run(readings: int, sites: int) -> dict[str, Any]:
    path = volume_file(readings, sites)
    api_port, aws_port = _free_port(), _free_port()
    api, aws = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{aws_port}"
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(api_port), "--aws-port", str(aws_port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    figures: dict[str, Any] = {"readings": readings, "sites_in_file": sites}
    try:
        _wait_for(f"{api}/sites")
        figures |= measure(api, aws, path, readings, server.pid)
    finally:
        figures |= _stop(server)
    return figures


def _stop(server: subprocess.Popen[bytes]) -> dict[str, Any]:
    """SIGTERM, as a service manager stops it: its exit code and how long it took (killed after 60 s)."""
    started = time.perf_counter()
    server.send_signal(signal.SIGTERM)
    try:
        code: int | str = server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        code = "did not stop within 60 s"
    return {"serve_exit_on_sigterm": code, "serve_stop_s": round(time.perf_counter() - started, 1)}


def table(figures: dict[str, Any]) -> str:
    rows = ["| figure | measured | goal | met |", "|---|---|---|---|"]
    for name, (sense, goal) in GOALS.items():
        value = figures.get(name)
        met = value is not None and (value >= goal if sense == ">=" else value <= goal)
        rows.append(f"| {name} | {value} | {sense} {goal} | {'yes' if met else 'NO'} |")
    return "\n".join(rows)


def main() -> int:
    readings = int(os.environ.get("SERVE_READINGS", "1000000"))
    sites = int(os.environ.get("SERVE_SITES", "100"))
    figures = run(readings, sites)
    Path(os.environ.get("SERVE_OUT", "bench-serve.json")).write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    print(table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
