"""Mail import benchmark: an mbox of 100k messages against 10k contacts (issue 18: ≥ 2,000
messages/s and ≤ 300 MiB; a second import of the same mbox ≥ 10× faster than the first).

Builds 10k contacts (a CSV import) and an mbox: threads between you and one or two contacts
(Cc'd colleagues, replies with quotes and signatures), one message in four HTML, one in ten with
an attachment, one in five from a stranger or a mailing list (ignored domain). Each import is a
real ``python -m minicrm mail import`` process; its peak RSS from ``getrusage(RUSAGE_CHILDREN)``
(each run is measured in a fresh child, so the figure is that run's). The machine is shared,
so CPU time is the steadier measure; both are printed.

    python bench/bench_mail.py              # 100k messages, 10k contacts
    python bench/bench_mail.py 20000 2000   # MESSAGES CONTACTS

Figures on the 2-core development machine, shared with four other jobs (load average 4-5: a
process gets about half a core, so wall time is about twice CPU time); 100k messages, 84 MiB,
10k contacts; 80k messages concern a contact, 120k timeline entries. Three runs, the same day:

                      before the header-first read   header-first   + deals in one query a batch
    first import:     32.8 s CPU (3,050/CPU-s)       29.3 s (3,410)  28.4 s CPU (3,520/CPU-s)
                      65.3 s wall (1,530/s)          57.5 s (1,740)  62.6 s wall (1,600/s)
                      peak 83 MiB                    82 MiB          84 MiB
    second import:    2.2 s CPU, 4.6 s wall          1.5 s, 1.8 s    1.9 s CPU, 2.1 s wall
    second / first:   15.2x CPU, 14.3x wall          19.1x, 31.7x    15.1x CPU, 29.2x wall

With the cores less busy (2026-12-03, load average 1.7-2.0, the code above), one run:

    first import:     23.3 s CPU (4,290 messages/CPU-s), 25.7 s wall (3,880 messages/s), 82 MiB
    second import:    1.3 s CPU, 1.3 s wall, 64 MiB; 19.5x faster (wall), 17.7x (CPU)

Every target is met: 3,880 messages/s against 2,000, 82 MiB against 300, the second run 19.5x
against 10x. Under load the wall figure follows the share of a core the import gets (at
3,500-4,300 messages/CPU-s it needs about half a core to itself), so compare CPU figures
between runs on a busy machine. Where the time goes now (cProfile of a 20k-message import): reading header
blocks 36% (the feedparser, then addresses, dates and encoded words), the body of a contact's
message 34% (one part: the text after the header block, not fed through the parser again;
html2text for the HTML ones, 8%), the writes (timeline entries, their search documents and the
change log) about 15%. Messages that concern no contact, and messages read before, never have
their body parsed.
"""

from __future__ import annotations

import base64
import csv
import os
import random
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = '[mail]\naddresses = ["me@mine.example"]\nignore = ["lists.example"]\n'


def build_contacts(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Name", "Email", "Company"])
        for i in range(n):
            w.writerow([f"Person {i}", f"p{i}@c{i % 900}.example", f"Company {i % 900}"])


def build_mbox(path: Path, n: int, contacts: int) -> None:
    rng = random.Random(18)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    attachment = base64.encodebytes(os.urandom(3000)).decode()
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for i in range(n):
            when = format_datetime(start + timedelta(minutes=5 * i))
            kind = rng.random()
            a = rng.randrange(contacts)
            them = f"Person {a} <p{a}@c{a % 900}.example>"
            if kind < 0.1:
                sender, to, cc = f"stranger{i}@else.example", "me@mine.example", ""
            elif kind < 0.2:
                sender, to, cc = "news@lists.example", "me@mine.example", ""
            elif kind < 0.6:
                b = rng.randrange(contacts)
                sender, to, cc = them, "Me <me@mine.example>", f"p{b}@c{b % 900}.example"
            else:
                sender, to, cc = "Me <me@mine.example>", them, ""
            head = [
                f"From x {when}",
                f"From: {sender}",
                f"To: {to}",
                *([f"Cc: {cc}"] if cc else []),
                f"Subject: {'Re: ' if i % 3 else ''}Order {i // 3}",
                f"Date: {when}",
                f"Message-ID: <m{i}@bench.example>",
                *([f"In-Reply-To: <m{i - i % 3}@bench.example>"] if i % 3 else []),
                "MIME-Version: 1.0",
            ]
            text = (
                f"Hello,\n\nabout order {i // 3}: the delivery is planned for next week.\n"
                "Please confirm the address.\n\nOn Monday, someone wrote:\n> earlier text\n> more\n\n"
                "-- \nMe\nMine Lda\n"
            )
            if i % 10 == 0:
                body = [
                    'Content-Type: multipart/mixed; boundary="b"',
                    "",
                    "--b",
                    "Content-Type: text/plain; charset=utf-8",
                    "",
                    text,
                    "--b",
                    'Content-Type: application/pdf; name="order.pdf"',
                    'Content-Disposition: attachment; filename="order.pdf"',
                    "Content-Transfer-Encoding: base64",
                    "",
                    attachment,
                    "--b--",
                ]
            elif i % 4 == 0:
                html = "<html><body><p>" + text.replace("\n\n", "</p><p>") + "</p></body></html>"
                body = ["Content-Type: text/html; charset=utf-8", "", html]
            else:
                body = ["Content-Type: text/plain; charset=utf-8", "", text]
            fh.write("\n".join(head + body) + "\n\n")


def minicrm(env: dict[str, str], *args: str) -> tuple[float, float, float, str]:
    """Run one minicrm process: (wall seconds, CPU seconds, peak MiB, stderr)."""
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "dt = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "sys.stderr.write(p.stderr)\n"
        "print(dt, u.ru_utime + u.ru_stime, u.ru_maxrss / 1024, p.returncode)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, sys.executable, "-m", "minicrm", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    seconds, cpu, mib, rc = proc.stdout.split()
    if rc != "0":
        raise SystemExit(f"minicrm {' '.join(args)} failed ({rc}): {proc.stderr}")
    return float(seconds), float(cpu), float(mib), proc.stderr.strip()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    contacts = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "config.toml").write_text(CONFIG)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "src"),
            "MINICRM_DB": str(work / "crm.db"),
            "MINICRM_CONFIG": str(work / "config.toml"),
            "HOME": str(work),
        }
        build_contacts(work / "contacts.csv", contacts)
        minicrm(env, "import", "csv", str(work / "contacts.csv"))
        build_mbox(work / "bench.mbox", n, contacts)
        size = (work / "bench.mbox").stat().st_size / 2**20
        print(f"mbox: {n} messages, {size:.0f} MiB; {contacts} contacts")
        runs = []
        for label in ("first import: ", "second import:"):
            wall, cpu, mib, said = minicrm(env, "mail", "import", str(work / "bench.mbox"))
            runs.append((wall, cpu))
            print(f"  {said}")
            print(
                f"{label} wall {wall:6.1f} s ({n / wall:6.0f} messages/s), "
                f"CPU {cpu:6.1f} s ({n / cpu:6.0f} messages/CPU-s), peak {mib:.0f} MiB"
            )
        (w1, c1), (w2, c2) = runs
        print(f"second / first: {w1 / w2:.1f}x faster (wall), {c1 / c2:.1f}x (CPU)")


if __name__ == "__main__":
    main()
