"""A file's encoding, checked before any parser runs: gzip with a size cap, BOMs, UTF-8, binary files."""

from __future__ import annotations

import zlib

from energy_core.errors import InvalidFile

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Magic numbers of files people upload by mistake; naming them beats "not UTF-8 at offset 2".
_BINARY_MAGIC = {
    b"PK\x03\x04": "a ZIP archive (an .xlsx spreadsheet is one)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"PAR1": "a Parquet file",
}
_WBITS_GZIP = 16 + zlib.MAX_WBITS


def gunzip(data: bytes, max_size: int) -> bytes:
    """Decompress every gzip member, refusing to produce more than `max_size` bytes (gzip bombs)."""
    out = bytearray()
    rest = data
    while rest:
        stream = zlib.decompressobj(_WBITS_GZIP)
        try:
            # max_length stops a bomb after max_size+1 bytes instead of inflating it all.
            out += stream.decompress(rest, max_size + 1 - len(out))
        except zlib.error as exc:
            raise InvalidFile(
                "bad_gzip", f"the gzip data is corrupt ({exc}); compress the file again"
            ) from exc
        if len(out) > max_size:
            raise InvalidFile(
                "too_large_decompressed",
                f"the file decompresses to more than {max_size:,} bytes (the limit); "
                "split it into smaller files",
            )
        if not stream.eof:
            raise InvalidFile(
                "bad_gzip", "the gzip data ends early (truncated upload?); upload the whole file"
            )
        rest = stream.unused_data.lstrip(b"\x00")  # concatenated members; tar-style zero padding
    return bytes(out)


def gunzip_head(head: bytes, size: int = 4096) -> bytes:
    """The first bytes of gzip data, best effort, for sniffing the format inside."""
    try:
        return zlib.decompressobj(_WBITS_GZIP).decompress(head, size)
    except zlib.error:
        return b""


def bom_length(data: bytes) -> int:
    """Length of a UTF-8 byte order mark (Excel writes one) to skip; refuse UTF-16 with a clear reason."""
    if data[:2] in _UTF16_BOMS:
        raise InvalidFile(
            "not_utf8", "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8"
        )
    return len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0


def refuse_binary(data: bytes) -> None:
    """Refuse spreadsheets, archives and other binary files before a parser reports nonsense."""
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InvalidFile(
                "unknown_format", f"the file is {what}, not JSON, JSON Lines or CSV; export it as CSV"
            )
    if b"\x00" in data[:4096]:
        raise InvalidFile(
            "unknown_format", "the file contains NUL bytes, so it is binary; upload JSON, JSON Lines or CSV"
        )


def decode_utf8(data: bytes) -> str:
    """The text of the file, or InvalidFile naming the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(data, exc.start) from exc


def not_utf8(data: bytes, offset: int) -> InvalidFile:
    """InvalidFile for the undecodable byte at `offset` of the (decompressed) file."""
    line = data.count(b"\n", 0, offset) + 1
    return InvalidFile(
        "not_utf8",
        f"the file is not UTF-8: byte 0x{data[offset]:02x} at byte offset {offset} (line {line}) "
        "is not valid UTF-8 (Latin-1 or Windows-1252 text?); save the file as UTF-8",
    )
