"""Replaces (or appends) one named section of a results file with standard input.

    python3 bench/section.py bench/RESULTS.md "sign-in flood" < section.md

A section runs from its `<!-- section: NAME -->` marker to the next marker or the end. bench/run.sh
rewrites only the part before the first marker, so each benchmark keeps its own figures.
"""
import re
import sys

path, name = sys.argv[1], sys.argv[2]
body = sys.stdin.read().strip() + "\n"
try:
    text = open(path).read()
except FileNotFoundError:
    text = ""
marker = f"<!-- section: {name} -->"
parts = re.split(r"(?=<!-- section: )", text)
head, sections = parts[0], parts[1:]
sections = [s for s in sections if not s.startswith(marker)]
sections.append(f"{marker}\n{body}")
out = head.rstrip() + "\n\n" + "\n".join(s.rstrip() + "\n" for s in sections)
open(path, "w").write(out)
