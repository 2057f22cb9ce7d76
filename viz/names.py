"""Folder names for site ids: stable from run to run, safe on every file system and in a URL."""

from __future__ import annotations

import hashlib
import re

UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
MAX_LENGTH = 64


def folder_name(site_id: str) -> str:
    """The id itself when it is already safe; otherwise a readable form plus a short hash of the id.

    The hash keeps two ids apart that clean up to the same text ('a:b' and 'a_b'); ':' is legal in a
    site id but not in a Windows file name, and a leading '.' would hide the folder or mean '..'.
    """
    cleaned = UNSAFE.sub("_", site_id).lstrip(".") or "site"
    if cleaned == site_id and len(site_id) <= MAX_LENGTH:
        return site_id
    digest = hashlib.sha256(site_id.encode()).hexdigest()[:8]
    return f"{cleaned[: MAX_LENGTH - 9]}-{digest}"


def folder_names(site_ids: list[str]) -> dict[str, str]:
    """Per site, a folder name unique even on case-insensitive disks (macOS, Windows)."""
    names = {site: folder_name(site) for site in site_ids}
    seen: dict[str, int] = {}
    for name in names.values():
        seen[name.lower()] = seen.get(name.lower(), 0) + 1
    for site, name in names.items():
        if seen[name.lower()] > 1:  # 'Site-A' and 'site-a': both get their hash, neither wins
            names[site] = f"{name[: MAX_LENGTH - 9]}-{hashlib.sha256(site.encode()).hexdigest()[:8]}"
    return names
