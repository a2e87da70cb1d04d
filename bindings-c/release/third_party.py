#!/usr/bin/env python3
"""Lists the crates compiled into libmailwright for one target, with their
licenses, for a release archive: THIRD-PARTY.md (name, version, license)
and third-party/<name>-<version>.txt (the license and notice files the crate
ships). Normal dependencies only: build scripts' dependencies and proc
macros run at build time and are not in the library.

    third_party.py TARGET OUT_DIR
"""
import json, os, subprocess, sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LICENSE_PREFIXES = ("license", "licence", "copying", "notice", "copyright", "unlicense")


def main():
    target, out = sys.argv[1], sys.argv[2]
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", target],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    workspace = set(meta["workspace_members"])
    start = next(i for i in workspace if packages[i]["name"] == "mailwright-c")

    seen, todo = set(), [start]
    while todo:
        node = nodes[todo.pop()]
        for dep in node["deps"]:
            if dep["pkg"] in seen or not any(k["kind"] is None for k in dep["dep_kinds"]):
                continue
            if any("proc-macro" in t["kind"] for t in packages[dep["pkg"]]["targets"]):
                continue
            seen.add(dep["pkg"])
            todo.append(dep["pkg"])

    crates = sorted((packages[i] for i in seen if i not in workspace), key=lambda p: (p["name"], p["version"]))
    if not crates:
        sys.exit("third_party.py: no dependencies found for mailwright-c")
    os.makedirs(os.path.join(out, "third-party"), exist_ok=True)
    lines = ["# Third-party code in libmailwright (" + target + ")", "",
             "The library contains these Rust crates (and the Rust standard library, MIT OR Apache-2.0).",
             "Their license and notice files are in third-party/.", "",
             "| crate | version | license |", "| --- | --- | --- |"]
    for p in crates:
        lines.append(f"| {p['name']} | {p['version']} | {p['license'] or p.get('license_file') or 'see third-party/'} |")
        folder = os.path.dirname(p["manifest_path"])
        texts = []
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if name.lower().startswith(LICENSE_PREFIXES) and os.path.isfile(path):
                with open(path, encoding="utf-8", errors="replace") as f:
                    texts.append(f"==> {name} <==\n{f.read().rstrip()}\n")
        if not texts:
            texts.append(f"{p['name']} {p['version']} ships no license file; its manifest says: {p['license']}\n")
        with open(os.path.join(out, "third-party", f"{p['name']}-{p['version']}.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(texts))
    with open(os.path.join(out, "THIRD-PARTY.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(crates)} crates", file=sys.stderr)


if __name__ == "__main__":
    main()
