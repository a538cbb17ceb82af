"""Source files are read-only to Khanij: the shared inputs still match SOURCES.md's checksums.

(conftest.py also compares every shared file before and after the whole session.)
"""
import hashlib
import re


def test_external_files_match_published_checksums(external, shared):
    inventory = (external / "SOURCES.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(data/external/[^`]+)` \| (\d+) \| ([0-9a-f]{12}) \|", inventory, re.M)
    assert len(rows) > 50
    for relative, size, prefix in rows:
        payload = (shared / relative).read_bytes()
        assert len(payload) == int(size), relative
        assert hashlib.sha256(payload).hexdigest()[:12] == prefix, relative
