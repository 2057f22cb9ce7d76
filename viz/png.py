"""An opaque RGBA canvas written as an RGB PNG: the pixels Pillow would write, in about a third of the time.

Pillow's PNG encoder picks a filter for every row by trying all five (~13 ms of the ~20-35 ms a
1650 x 720 chart took at zlib level 3, before any compression). A chart is flat colour on white, so
one filter for every row does as well: "Up" (each byte minus the one above it) turns the white
background, the grid and every vertical edge into runs of zeros, and the files come out within a few
per cent of Pillow's (the four charts of a 10,000-reading site: -1% to +5%). The filter is done on
whole arrays with numpy and the rows are compressed with zlib; any PNG reader opens the result.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

SIGNATURE = b"\x89PNG\r\n\x1a\n"
FILTER_UP = 2
LEVEL = 3  # zlib level: 1 is no faster on these images, 6 takes ~40% longer for ~5% smaller files
METRES_PER_INCH = 0.0254


def write_rgb_png(path: Path, rgba: memoryview | bytes, width: int, height: int, dpi: float) -> None:
    """`rgba`: the canvas's `buffer_rgba()`, rows top to bottom; its alpha is dropped (the figure's face
    is opaque, so it carries nothing)."""
    # Pillow drops the alpha bytes in C, ~3x faster than numpy copying the strided RGB out of RGBA.
    rgb = Image.fromarray(np.frombuffer(rgba, dtype=np.uint8).reshape(height, width, 4)).convert("RGB")
    pixels = np.asarray(rgb).reshape(height, width * 3)
    rows = np.empty((height, 1 + width * 3), dtype=np.uint8)
    rows[:, 0] = FILTER_UP
    rows[0, 1:] = pixels[0]  # the row above the first is zeros: Up leaves it as it is
    np.subtract(pixels[1:], pixels[:-1], out=rows[1:, 1:])  # modulo 256, as the PNG filter is defined
    per_metre = round(dpi / METRES_PER_INCH)
    with path.open("wb") as out:
        out.write(SIGNATURE)
        # 8 bits per sample, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
        out.write(_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        out.write(_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)))  # unit 1: metre
        out.write(_chunk(b"IDAT", zlib.compress(rows.tobytes(), LEVEL)))
        out.write(_chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
