#!/usr/bin/env python3
"""Two API instances on a PostgreSQL primary and its streaming replica, for real.

Starts its own primary (initdb, on a free port) and a standby made from it with pg_basebackup,
then, for a one-city and a province configuration (KLINIK_REGIONS=32.71 and =32), runs two
instances of the release binary with KLINIK_READ_DATABASE_URL naming the standby and shows:

- read-your-writes: a cooperative created on one instance is listed at once by the other;
- replica lag: with the standby's replay paused, the writer still lists their new record (their
  read goes to the primary) while another caller's list comes from the standby and lacks it
  until replay resumes;
- a replica going down: lists keep answering from the primary and /health/ready names the
  replica as degraded, then ok again once it is back.

Usage: tests/replica/streaming_replica.py PATH/TO/klinik   (needs PostgreSQL's server binaries)
Standard library only. Any failure exits non-zero.
"""

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ADMIN, ADMIN_PASSWORD = "replica-admin", "replica-admin-password"
VIEWER, VIEWER_PASSWORD = "replica-viewer", "replica-viewer-password"
CONFIGS = [
    ("one city", "32.71", "32.71.01.1006"),
    ("province", "32", "32.01.02.2001"),
]


def pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"FAIL: PostgreSQL's {name} is missing (apt-get install postgresql)")
    return found[-1]


def as_postgres(args, **kwargs):
    """Runs a server command as the postgres user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--"] + args
    return subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(port, sql, db="postgres"):
    out = subprocess.run(
        [pg_bin("psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db,
         "-qtAc", sql],
        check=True, capture_output=True, text=True)
    return out.stdout.strip()


def call(base, method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if body is not None:
        request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"  ok: {what}")


def wait_until(what, probe, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if probe():
            print(f"  ok: {what}")
            return
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {seconds} s")


class Cluster:
    """A primary and a standby streaming from it, each on its own free port."""

    def __init__(self, work):
        self.work = work
        self.primary_dir = os.path.join(work, "primary")
        self.replica_dir = os.path.join(work, "replica")
        self.primary_port = free_port()
        self.replica_port = free_port()

    def options(self, port):
        return f"-p {port} -k {self.work} -c listen_addresses=127.0.0.1"

    def start(self):
        as_postgres([pg_bin("initdb"), "-D", self.primary_dir, "-U", "postgres", "--auth=trust"])
        self.pg_ctl(self.primary_dir, "start", self.primary_port)
        as_postgres([pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary_port),
                     "-U", "postgres", "-D", self.replica_dir, "-R", "-X", "stream", "-c", "fast"])
        self.pg_ctl(self.replica_dir, "start", self.replica_port)
        check(psql(self.replica_port, "SELECT pg_is_in_recovery()") == "t",
              "the standby runs in recovery, streaming from the primary")

    def pg_ctl(self, data_dir, action, port=None):
        args = [pg_bin("pg_ctl"), "-D", data_dir, "-w", "-l", data_dir + ".log"]
        if port is not None:
            args += ["-o", self.options(port)]
        if action == "stop":
            args += ["-m", "fast"]
        as_postgres(args + [action])

    def stop(self):
        for data_dir in (self.replica_dir, self.primary_dir):
            if os.path.exists(os.path.join(data_dir, "postmaster.pid")):
                try:
                    self.pg_ctl(data_dir, "stop")
                except subprocess.CalledProcessError:
                    pass

    def url(self, port, db):
        return f"postgres://postgres@127.0.0.1:{port}/{db}"


def start_instance(binary, cluster, db, area, work, name):
    port = free_port()
    data_dir = os.path.join(work, f"data-{db}-{name}")
    env = dict(os.environ,
               KLINIK_DATABASE_URL=cluster.url(cluster.primary_port, db),
               KLINIK_READ_DATABASE_URL=cluster.url(cluster.replica_port, db),
               KLINIK_REGIONS=area,
               KLINIK_BIND=f"127.0.0.1:{port}",
               KLINIK_DATA_DIR=data_dir,
               KLINIK_LOG_LEVEL="warn",
               KLINIK_JWT_SECRET="replica-test-signing-key-of-32-bytes!!",
               KLINIK_DATA_KEY="ab" * 32,
               KLINIK_ADMIN_USERNAME=ADMIN,
               KLINIK_ADMIN_PASSWORD=ADMIN_PASSWORD)
    log = open(os.path.join(work, f"{db}-{name}.log"), "w")
    process = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"instance {name} exited; see {log.name}")
        try:
            if call(base, "GET", "/health/ready")[0] == 200:
                return process, base
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"instance {name} did not become ready")


def login(base, username, password):
    status, body = call(base, "POST", "/api/v1/auth/login",
                        body={"username": username, "password": password})
    check(status == 200, f"{username} signs in")
    return body["access_token"]


def listed(base, token, name):
    status, body = call(base, "GET", "/api/v1/cooperatives?q=" + urllib.request.quote(name), token)
    if status != 200:
        raise AssertionError(f"the list answered {status}: {body}")
    return body["total"]


def create(base, token, name, village):
    status, body = call(base, "POST", "/api/v1/cooperatives", token,
                        {"name": name, "form": "primer", "type": "konsumen",
                         "kelurahan_code": village})
    if status != 201:
        raise AssertionError(f"create answered {status}: {body}")


def scenario(binary, cluster, work, label, area, village):
    print(f"== {label} (KLINIK_REGIONS={area})")
    db = "klinik_" + area.replace(".", "_")
    psql(cluster.primary_port, f"CREATE DATABASE {db}")
    one, one_base = start_instance(binary, cluster, db, area, work, "one")
    other, other_base = start_instance(binary, cluster, db, area, work, "other")
    try:
        admin = login(one_base, ADMIN, ADMIN_PASSWORD)
        status, _ = call(one_base, "POST", "/api/v1/users", admin,
                         {"username": VIEWER, "display_name": "Viewer", "role": "viewer",
                          "password": VIEWER_PASSWORD})
        check(status == 201, "a viewer is created")
        viewer = login(other_base, VIEWER, VIEWER_PASSWORD)

        # Read-your-writes across instances, many times over.
        misses = 0
        for i in range(25):
            writer, reader = (one_base, other_base) if i % 2 == 0 else (other_base, one_base)
            create(writer, admin, f"Koperasi Tulis Baca {i:02}", village)
            misses += listed(reader, admin, f"Tulis Baca {i:02}") != 1
        check(misses == 0, "25 writes, each listed at once by the other instance")

        # Lag: the standby stops replaying.
        psql(cluster.replica_port, "SELECT pg_wal_replay_pause()")
        wait_until("the standby's replay is paused",
                   lambda: psql(cluster.replica_port,
                                "SELECT pg_get_wal_replay_pause_state()") == "paused")
        create(one_base, admin, "Koperasi Saat Jeda", village)
        check(listed(other_base, admin, "Saat Jeda") == 1,
              "the writer lists their new record at once (read on the primary)")
        check(listed(other_base, viewer, "Saat Jeda") == 0,
              "another caller's list comes from the lagging standby, without it")
        psql(cluster.replica_port, "SELECT pg_wal_replay_resume()")
        wait_until("once replay resumes the other caller sees it too",
                   lambda: listed(other_base, viewer, "Saat Jeda") == 1)

        # The standby goes down, then comes back.
        cluster.pg_ctl(cluster.replica_dir, "stop")
        check(listed(one_base, viewer, "Koperasi") == 26,
              "with the standby down, lists answer from the primary")
        status, health = call(one_base, "GET", "/health/ready")
        check(status == 200 and health["read_replicas"][0]["status"] == "degraded",
              f"/health/ready stays ready and names the replica degraded: {health}")
        create(other_base, admin, "Koperasi Tanpa Replika", village)
        check(listed(one_base, viewer, "Tanpa Replika") == 1,
              "a write while the standby is down is read at once")
        cluster.pg_ctl(cluster.replica_dir, "start", cluster.replica_port)
        wait_until("/health/ready says the replica is ok again",
                   lambda: call(one_base, "GET", "/health/ready")[1]
                   .get("read_replicas", [{}])[0].get("status") == "ok")
        wait_until("the returning standby catches up and serves the other caller",
                   lambda: listed(other_base, viewer, "Tanpa Replika") == 1)
    finally:
        for process in (one, other):
            process.terminate()
            process.wait(timeout=30)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="klinik-replica-")
    if os.geteuid() == 0:
        shutil.chown(work, "postgres")
    cluster = Cluster(work)
    try:
        cluster.start()
        for label, area, village in CONFIGS:
            scenario(binary, cluster, work, label, area, village)
        print("replica test passed")
    except (AssertionError, subprocess.CalledProcessError) as error:
        for log in sorted(glob.glob(os.path.join(work, "*.log"))):
            print(f"--- {log}", file=sys.stderr)
            with open(log, errors="replace") as f:
                print(f.read()[-4000:], file=sys.stderr)
        sys.exit(f"FAIL: {error}")
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
