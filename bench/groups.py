"""Deciding once per person, measured on the benchmark's week (issue 26).

The week's photos (``bench/corpus.py: write_week``, the folder ``make bench`` makes) show
three people; only c01 (the astronaut) is enrolled here, c02 (Grace Hopper) and c03 (the
cameraman) are left unenrolled, as children without face-matching permission are. One
audit, then:

- questions before and after: the faces ``review`` would ask about one by one, against the
  questions it asks now (one per group of two or more look-alike faces, plus every other face);
- groups that mixed two people (must be 0), from the week's ground truth (``truth.json``);
- the two grouping rules (:mod:`photoaudit.core.unknown_groups`) side by side at several
  distances, on the same templates: groups, mixed groups, questions, the largest group;
- the same two rules on a chain of look-alikes made from the package's faces: 21 photos of
  Grace Hopper's face blended step by step into the astronaut's. A rule that joins faces
  through their neighbours puts both people in one group; the strict rule must not.

Run ``python -m bench.groups`` (about 2-5 minutes on 2 cores once the week exists; making
the week's 240 photos takes about 2 minutes more the first time).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from photoaudit.core.unknown_groups import (
    DEFAULT_GROUP_DISTANCE,
    GroupRule,
    UnknownFace,
    group_faces,
)
from photoaudit.operations.face_groups import key_of, template_of, to_identify
from photoaudit.store.database import Store
from photoaudit.store.decision_book import DecisionBook
from photoaudit.store.face_groups import GroupBook

from .corpus import IDENTITIES, ensure_week, source_picture
from .scoring import from_trbl, pair_up

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TODAY = "2026-10-01"
ENROLLED = ("c01",)
HEADER = ("child_id,name,room,status,leave_date,learning_journey,other_journeys,display,website,"
          "social_media,face_matching,consent_review_due")
DISTANCES = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
CHAIN_STEPS = 21


def make_setting(out: Path) -> Path:
    """The week's three people in a register; only ``ENROLLED`` may be face-matched."""
    data = out / "groups-setting"
    shutil.rmtree(data, ignore_errors=True)
    rows = [HEADER]
    for child_id, identity in sorted(IDENTITIES.items()):
        matching = "yes" if child_id in ENROLLED else "no"
        rows.append(f"{child_id},{identity.name},Room,attending,,yes,yes,yes,yes,yes,{matching},2030-09-01")
        if child_id in ENROLLED:
            (data / "faces" / child_id).mkdir(parents=True)
            source_picture(child_id).save(data / "faces" / child_id / "reference.jpg", quality=92)
    data.mkdir(parents=True, exist_ok=True)
    (data / "children.csv").write_text("\n".join(rows) + "\n")
    return data


def identities(report: dict, truth: dict[str, list]) -> dict[tuple[str, int], str]:
    """(photo, face number) -> who the face really is ('none': not a true face)."""
    who: dict[tuple[str, int], str] = {}
    for image in report["images"]:
        truths = truth.get(Path(image["path"]).name, [])
        boxes = [from_trbl(f["box"]) for f in image["faces"]]
        pairs = {j: i for i, j in pair_up(truths, boxes).items()}
        for j in range(len(boxes)):
            who[(image["path"], j + 1)] = truths[pairs[j]].identity if j in pairs else "none"
    return who


def mixed(groups: list[list[str]]) -> int:
    """Groups of two or more faces with more than one person (or a false face) in them."""
    return sum(len(g) > 1 and len(set(g)) > 1 for g in groups)


def chain() -> None:
    """Grace Hopper blended into the astronaut in ``CHAIN_STEPS`` photos: the widest group each
    rule makes (0: one end only; 1: from Grace to the astronaut), and whether any group holds
    both people (a blend at most 20% one way and one at least 80% the other)."""
    from PIL import Image

    from photoaudit.faces.engine import FaceEngine
    from photoaudit.media.samples import astronaut_face, grace_hopper_face, scene

    engine = FaceEngine()
    grace = grace_hopper_face().convert("RGB").resize((300, 360))
    astronaut = astronaut_face().convert("RGB").resize((300, 360))
    faces, share = [], {}
    for n in range(CHAIN_STEPS):
        t = n / (CHAIN_STEPS - 1)
        pixels = np.asarray(scene([(Image.blend(grace, astronaut, t), (300, 150), 300)], (900, 700), seed=n))
        found = engine.find_faces(pixels)
        if found and found[0].template is not None:
            faces.append(UnknownFace(f"blend-{n:02d}", f"photo-{n}", found[0].template))
            share[f"blend-{n:02d}"] = t
    print(f"\nA chain of look-alikes: {len(faces)} of {CHAIN_STEPS} blends of Grace Hopper into the astronaut encoded")
    print("\n| rule | distance | groups of 2+ | widest group (share of the chain) | a group with both people |\n|---|---|---|---|---|")
    for rule in GroupRule:
        for distance in DISTANCES:
            groups = [[share[k] for k in g] for g in group_faces(faces, distance, rule) if len(g) > 1]
            widest = max((max(g) - min(g) for g in groups), default=0.0)
            both = any(min(g) <= 0.2 and max(g) >= 0.8 for g in groups)
            print(f"| {rule.value} | {distance} | {len(groups)} | {widest:.2f} | {'yes' if both else 'no'} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--week-photos", type=int, default=240)
    parser.add_argument("--chain-only", action="store_true", help="only the chain of look-alikes (a minute)")
    args = parser.parse_args()
    chain()
    if args.chain_only:
        return
    print(f"The week's {args.week_photos} photos in {args.out / 'week'} ...", flush=True)
    week = ensure_week(args.out / "week", args.week_photos)
    truth = {Path(p.file).name: p.faces for p in week}
    data = make_setting(args.out)
    state = args.out / "groups-state"
    shutil.rmtree(state, ignore_errors=True)
    report_path = args.out / "groups-report.json"
    report_path.unlink(missing_ok=True)
    print("Auditing it with only c01 enrolled ...", flush=True)
    ran = subprocess.run([str(BIN / "photoaudit"), "--data", str(data), "--state", str(state), "audit",
                          str(args.out / "week" / "photos" / "jpeg"), "--quiet", "--today", TODAY,
                          "--json", str(report_path)], capture_output=True, text=True)
    if ran.returncode not in (0, 1):
        raise SystemExit(f"photoaudit audit failed:\n{ran.stdout}\n{ran.stderr}")
    report = json.loads(report_path.read_text())
    who = identities(report, truth)
    asked = [(i["path"], n) for i in report["images"] for n, f in enumerate(i["faces"], 1) if f.get("needs_person")]
    groups = report["people_to_identify"]
    grouped = {(f["path"], f["face"]) for g in groups if len(g["faces"]) > 1 for f in g["faces"]}
    after = sum(len(g["faces"]) > 1 for g in groups) + sum(face not in grouped for face in asked)
    people = [[who[(f["path"], f["face"])] for f in g["faces"]] for g in groups]
    faces = sum(len(i["faces"]) for i in report["images"])
    print(f"\nphotos {len(report['images'])}, faces found {faces}, unknown faces {len(who_unknown(report))}; "
          f"true faces by person: {dict(sorted(Counter(who.values()).items()))}")
    print(f"questions before (one per face): {len(asked)}; after (one per group, and every other face): {after}")
    print(f"of them about unknown faces: before {len(who_unknown(report))}, after {len(groups)} "
          f"(the other {len(asked) - len(who_unknown(report))} are uncertain faces and matches to confirm)")
    print(f"groups of two or more: {sum(len(g) > 1 for g in people)}, the largest {max(map(len, people), default=0)}; "
          f"groups that mixed two people (or a false face): {mixed(people)}")
    print("\n| rule | distance | groups of 2+ | faces in them | mixed | questions | largest |\n|---|---|---|---|---|---|---|")
    with Store(state) as store:
        unknown = [f for f in DecisionBook(store).folder_faces() if to_identify(f)]
        faces_key = GroupBook(store).faces_key() or ""
        plain = [UnknownFace(key_of(f), f.sha256 or key_of(f), template_of(store, f, faces_key)) for f in unknown]
    by_key = {key_of(f): who[(f.photo, f.face)] for f in unknown}
    others = len(asked) - len(unknown)  # uncertain faces and matches to confirm: asked one by one
    for rule in GroupRule:
        for distance in DISTANCES:
            found = [[by_key[k] for k in g] for g in group_faces(plain, distance, rule)]
            several = [g for g in found if len(g) > 1]
            mark = " (default)" if rule is GroupRule.STRICT and distance == DEFAULT_GROUP_DISTANCE else ""
            print(f"| {rule.value}{mark} | {distance} | {len(several)} | {sum(map(len, several))} | {mixed(found)} | "
                  f"{len(found) + others} | {max(map(len, found), default=0)} |")


def who_unknown(report: dict) -> list[tuple[str, int]]:
    return [(i["path"], n) for i in report["images"] for n, f in enumerate(i["faces"], 1)
            if f["status"] == "unknown" and not f.get("decision")]


if __name__ == "__main__":
    main()
