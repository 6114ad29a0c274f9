"""Two Celery beats started at once: one schedules, the other waits for the Redis lock
(celery-redbeat) and takes over only when the first stops. Needs Redis (REDIS_URL; .ci/run sets
it), skipped otherwise."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "")
SENT = "Sending due task beat-probe"
LOCKED = "beat: Acquired lock"

pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="two beats share a Redis lock: set REDIS_URL (.ci/run does)"
)


def start_beat(log: Path, env: dict) -> subprocess.Popen:
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [str(celery), "-A", "portal", "beat", "-l", "info"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_two_beats_one_scheduler_then_failover(tmp_path):
    import redis

    prefix = f"aides-test-{uuid.uuid4().hex[:8]}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": f"{prefix}-queue",  # nobody consumes it: deleted below
        "REDBEAT_KEY_PREFIX": f"{prefix}:redbeat",
        "BEAT_PROBE_SECONDS": "1",
        "BEAT_MAX_LOOP_INTERVAL": "1",
        "REDBEAT_LOCK_TIMEOUT": "4",
        "VAR_DIR": str(tmp_path / "var"),
    }
    logs = [tmp_path / "beat-1.log", tmp_path / "beat-2.log"]
    beats = [start_beat(log, env) for log in logs]
    try:

        def text(i):
            return logs[i].read_text(errors="replace")

        assert wait_until(lambda: any(text(i).count(SENT) >= 3 for i in (0, 1)), 40), [
            text(0),
            text(1),
        ]
        time.sleep(4)  # both running: the second one must still be waiting
        active = [i for i in (0, 1) if SENT in text(i)]
        assert len(active) == 1, (text(0), text(1))
        assert [LOCKED in text(i) for i in (0, 1)].count(True) == 1
        (first,) = active
        other = 1 - first
        beats[first].send_signal(signal.SIGTERM)  # the active scheduler stops...
        beats[first].wait(20)
        assert wait_until(lambda: SENT in text(other), 30), text(other)  # ...the other takes over
        assert LOCKED in text(other)
    finally:
        for beat in beats:
            if beat.poll() is None:
                beat.send_signal(signal.SIGTERM)
                try:
                    beat.wait(20)
                except subprocess.TimeoutExpired:
                    beat.kill()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
