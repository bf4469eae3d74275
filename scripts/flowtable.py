#!/usr/bin/python3
"""Print aduana flow-log JSON lines (DESIGN 3.2) as a verdict table.

usage: flowtable.py FLOWS.jsonl [--json]
"""
import json
import sys


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rows = []
    with open(args[0]) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                print(f"{args[0]}:{n}: not JSON: {e}", file=sys.stderr)
                return 1
    rows.sort(key=lambda r: r["ts_start"])
    if "--json" in sys.argv:
        json.dump(rows, sys.stdout, indent=1)
        return 0

    def ep(addr, port):
        return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"

    cols = ["zone", "dir", "proto", "flow", "app", "class", "name", "verdict", "reason",
            "pkts", "drop"]
    table = []
    for r in rows:
        name = r.get("sni") or r.get("host") or r.get("dns_query") or "-"
        table.append([r["zone"], r["dir"], str(r["proto"]),
                      f'{ep(r["src"], r["sport"])} -> {ep(r["dst"], r["dport"])}',
                      r["app"], r["class"] or "-", name, r["verdict"].upper(),
                      r["reason"], str(r["pkts_out"] + r["pkts_in"]),
                      str(r["dropped_pkts"])])
    width = [max(len(c), *(len(t[i]) for t in table)) if table else len(c)
             for i, c in enumerate(cols)]
    print("  ".join(c.upper().ljust(width[i]) for i, c in enumerate(cols)).rstrip())
    for t in table:
        print("  ".join(v.ljust(width[i]) for i, v in enumerate(t)).rstrip())
    allow = sum(1 for r in rows if r["verdict"] == "allow")
    print(f"{len(rows)} flows: {allow} allowed, {len(rows) - allow} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
