#!/usr/bin/python3
"""Seeds for fuzz_config: the shipped policy and broken variants of it
(tests/fuzz/fuzz_config.c)."""
import os
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
base = open(os.path.join(root, "conf", "aduana.conf")).read()
variants = {
    "shipped": base,
    "no-classes": base.replace('classes = "classes.conf";', ""),
    "bad-prefix": base.replace("10.10.0.0/16", "10.10.0.0/33"),
    "dup-subnet": base.replace("10.20.0.0/16", "10.10.0.0/16"),
    "unknown-key": base + "\nbogus = 1;\n",
    "unknown-profile": base.replace('profile = "office"', 'profile = "nope"'),
    "unclosed": base[: len(base) // 2],
    "bad-port": base.replace("ports = [ 443 ]", "ports = [ 70000 ]"),
    "wrong-type": base.replace("workers = 1", 'workers = "one"'),
    "minimal": "version = 1;\n",
    "empty": "",
}
for name, text in variants.items():
    with open(os.path.join(out, name), "w") as f:
        f.write(text)
