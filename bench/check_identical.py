"""Proof that a refactor changed nothing: the CLI's outputs over fixed inputs, byte for byte.

Runs `geo parse --json`, `geo events`, `geo export` (GeoJSON, CSV, KML) and `geo map` (with and
without --self-contained) over three input sets: the seed reports, the texts of
tests/corpus/corpus.yaml (as one JSON Lines file), and the news-dev* articles of
../shared/reference (skipped, saying so, when that folder is absent). Every output file, the
exit status and stderr of every run go into one folder.

  python3 bench/check_identical.py --write SNAPSHOT        # record the outputs of this tree
  python3 bench/check_identical.py SNAPSHOT                # compare this tree with a snapshot
  python3 bench/check_identical.py --write SNAP --rev main # record a git revision's outputs

Comparing prints each output that differs (and the first differing line) and exits 1; with
no difference it prints the number of files compared and exits 0. Map pages are compared too:
the map is expected to change when its own code does, so `--no-map` leaves them out.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
REFERENCE = PROJECT.parent / "shared" / "reference"


def _inputs(tmp: Path, root: Path) -> dict[str, list[str]]:
    """Input name -> CLI arguments naming its files (paths written under tmp)."""
    import yaml

    sets = {"seeds": [str(root / "seeds")]}
    corpus = yaml.safe_load((root / "tests" / "corpus" / "corpus.yaml").read_text(encoding="utf-8"))
    lines = [json.dumps({"id": c["id"], "published": str(c.get("published", "")), "body": c["text"]},
                        ensure_ascii=False) for c in corpus]
    (tmp / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sets["corpus"] = [str(tmp / "corpus.jsonl")]
    for folder in sorted(REFERENCE.glob("news-dev*")):
        texts = sorted(folder.glob("*.txt"))
        if not texts:
            continue
        dest = tmp / folder.name
        dest.mkdir()
        for t in texts:
            shutil.copyfile(t, dest / t.name)
        sets[folder.name] = [str(dest)]
    if not any(k.startswith("news-dev") for k in sets):
        print(f"news-dev skipped: {REFERENCE} is absent", file=sys.stderr)
    return sets


def _runs(name: str, args: list[str], out: Path, with_map: bool) -> list[tuple[str, list[str]]]:
    """(label, CLI arguments) of every run over one input set."""
    runs = [
        (f"{name}.parse", ["parse", "--json", *args]),
        (f"{name}.parse-text", ["parse", *args]),
        (f"{name}.events", ["events", *args, "-o", str(out / f"{name}.events.geojson")]),
        (f"{name}.export-geojson", ["export", *args, "--format", "geojson",
                                    "-o", str(out / f"{name}_geojson_layers")]),
        (f"{name}.export-csv", ["export", *args, "--format", "csv",
                                "-o", str(out / f"{name}.export.csv")]),
        (f"{name}.export-kml", ["export", *args, "--format", "kml",
                                "-o", str(out / f"{name}.export.kml")]),
    ]
    if with_map:
        runs += [
            (f"{name}.map", ["map", *args, "-o", str(out / f"{name}.map.html")]),
            (f"{name}.map-offline", ["map", *args, "--self-contained",
                                     "-o", str(out / f"{name}.map-offline.html")]),
        ]
    return runs


def write_snapshot(root: Path, out: Path, with_map: bool) -> int:
    """Run the CLI of the tree at `root` and write every output under `out`; returns run count."""
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "100", "NO_COLOR": "1"}
    env.pop("GEO_PLACES", None)
    env.pop("GEO_ZONES", None)
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        sets = _inputs(Path(tmp), root)
        for name, args in sets.items():
            for label, cli in _runs(name, args, out, with_map):
                done = subprocess.run([sys.executable, "-m", "geo.cli", *cli], cwd=root, env=env,
                                      capture_output=True, text=True, timeout=900)
                # Temporary paths differ between runs: name them by the input set instead.
                clean = {s: s.replace(tmp, "$TMP").replace(str(out), "$OUT").replace(str(root), "$ROOT")
                         for s in (done.stdout, done.stderr)}
                (out / f"{label}.stdout").write_text(clean[done.stdout], encoding="utf-8")
                (out / f"{label}.stderr").write_text(f"exit {done.returncode}\n{clean[done.stderr]}",
                                                     encoding="utf-8")
                n += 1
    return n


def _files(folder: Path) -> dict[str, Path]:
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*")) if p.is_file()}


def compare(expected: Path, actual: Path, with_map: bool) -> list[str]:
    """What differs between two snapshot folders, one line each."""
    want, got = _files(expected), _files(actual)
    if not with_map:
        want = {k: v for k, v in want.items() if ".map" not in k}
        got = {k: v for k, v in got.items() if ".map" not in k}
    problems = [f"missing: {k}" for k in want if k not in got]
    problems += [f"new: {k}" for k in got if k not in want]
    for key in sorted(set(want) & set(got)):
        a, b = want[key].read_bytes(), got[key].read_bytes()
        if a != b:
            la = a.decode("utf-8", "replace").splitlines()
            lb = b.decode("utf-8", "replace").splitlines()
            first = next((d for d in difflib.unified_diff(la, lb, lineterm="", n=0)
                          if d[:1] in "+-" and d[:3] not in ("+++", "---")), "(line endings)")
            problems.append(f"differs: {key}: {first[:200]}")
    return problems


def _tree_of(rev: str, tmp: Path) -> Path:
    """The files of git revision `rev` in a temporary folder (git archive: no worktree added)."""
    dest = tmp / "tree"
    dest.mkdir()
    archive = subprocess.run(["git", "-C", str(PROJECT), "archive", rev], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("snapshot", type=Path, help="snapshot folder (to write with --write, else to compare)")
    ap.add_argument("--write", action="store_true", help="record the outputs into SNAPSHOT")
    ap.add_argument("--rev", help="with --write: record this git revision's outputs, not the tree's")
    ap.add_argument("--no-map", action="store_true", help="leave the map pages out")
    args = ap.parse_args()
    with_map = not args.no_map
    with tempfile.TemporaryDirectory() as tmp:
        if args.write:
            if args.snapshot.exists() and any(args.snapshot.iterdir()):
                ap.error(f"{args.snapshot}: not empty")
            root = _tree_of(args.rev, Path(tmp)) if args.rev else PROJECT
            n = write_snapshot(root, args.snapshot.resolve(), with_map)
            print(f"wrote {n} runs' outputs to {args.snapshot}")
            return 0
        if not args.snapshot.is_dir():
            ap.error(f"{args.snapshot}: no such snapshot folder")
        fresh = Path(tmp) / "now"
        write_snapshot(PROJECT, fresh, with_map)
        problems = compare(args.snapshot, fresh, with_map)
        for p in problems:
            print(p)
        if problems:
            print(f"{len(problems)} outputs differ from {args.snapshot}")
            return 1
        print(f"identical: {len(_files(fresh))} files match {args.snapshot}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
