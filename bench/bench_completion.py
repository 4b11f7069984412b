"""Shell completion cold at 100k contacts: what one Tab costs (SPEC §7's read target, 150 ms).

    PYTHONPATH=src python bench/bench_completion.py [--contacts 100000] [--runs 15]

Each Tab is a fresh ``python -m minicrm __complete bash …`` process, as bash runs it, on
``bench_cli.py``'s database (100k contacts, built once into ``bench/.data/``, copied here, with
deals added). It prints the median wall-clock and CPU milliseconds of completing a command word
(no database), a contact name, an open deal id, a stage and a tag, beside ``python -c pass``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cli import DATA, ROOT, build, medians_ms
from bench_cold import add_deals

TABS = {
    "command word (contact s)": ["contact", "s"],
    "contact name (contact show Ana)": ["contact", "show", "Ana"],
    "contact name, lower case (note add zac)": ["note", "add", "zac"],
    "deal id (deal show 1)": ["deal", "show", "1"],
    "stage (deal move 1 …)": ["deal", "move", "1", ""],
    "tag (contact list --tag …)": ["contact", "list", "--tag", ""],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--followups", type=int, default=20_000)
    parser.add_argument("--deals", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    base = DATA / f"crm-{args.contacts}-{args.followups}-v2.db"
    if not base.exists():
        build(base, args.contacts, args.followups)
    work = Path(tempfile.mkdtemp(prefix="minicrm-complete-"))
    try:
        db = work / "crm.db"
        shutil.copyfile(base, db)
        add_deals(db, args.contacts, args.deals)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "src"),
            "MINICRM_DB": str(db),
            "HOME": str(work / "home"),
            "XDG_CONFIG_HOME": str(work / "config"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        minicrm = [sys.executable, "-m", "minicrm"]
        # the first run migrates the copy to the current schema (a Tab itself never does)
        subprocess.run([*minicrm, "db", "current"], env=env, check=True, capture_output=True)
        commands = {"python -c pass": ([[sys.executable, "-c", "pass"]], env)}
        for label, words in TABS.items():
            commands[label] = ([[*minicrm, "__complete", "bash", *words]], env)
        medians = medians_ms(commands, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"\n{args.contacts:,} contacts; median of {args.runs} cold runs, wall (cpu) ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n"
    )
    print("| Tab | ms |\n|---|---:|")
    for label, (wall, cpu) in medians.items():
        print(f"| {label} | {wall:.0f} ({cpu:.0f}) |")


if __name__ == "__main__":
    main()
