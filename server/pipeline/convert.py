"""Office documents and images → PDF, so every paged input goes through one path.

Office files are converted by LibreOffice headless, in a private profile
directory per call (concurrent soffice processes sharing a profile block each
other). Images become one-page PDFs at their own pixel size, ready for OCR.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from server.errors import PipelineError

SOFFICE_MISSING = (
    "LibreOffice (soffice) is not installed; install it with `apt-get install libreoffice-core-nogui "
    "libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui`"
)
CONVERT_TIMEOUT_S = 300
_IMAGE_DPI = 150.0  # scans and photos have no physical size we can trust; assume this resolution


def soffice_path() -> str | None:
    """The LibreOffice binary, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def office_to_pdf(source: Path, mime_type: str, workdir: Path) -> Path:
    """Convert a DOCX/PPTX/XLSX/DOC/PPT/XLS file to PDF with LibreOffice; raises PipelineError."""
    return _soffice_convert(source, mime_type, workdir, "pdf")


def spreadsheet_to_html(source: Path, mime_type: str, workdir: Path) -> Path:
    """A spreadsheet as HTML: one heading and one real table per sheet. Printed to
    PDF, a sheet loses its grid (LibreOffice prints no cell borders by default)."""
    return _soffice_convert(source, mime_type, workdir, "html")


def _soffice_convert(source: Path, mime_type: str, workdir: Path, target_format: str) -> Path:
    binary = soffice_path()
    if binary is None:
        raise PipelineError(SOFFICE_MISSING)
    outdir = workdir / "converted"
    outdir.mkdir(parents=True, exist_ok=True)
    profile = workdir / "lo-profile"
    # LibreOffice picks the import filter from the extension; the stored input may have none.
    staged = outdir / f"input{_office_suffix(source, mime_type)}"
    shutil.copyfile(source, staged)
    command = [
        binary,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        target_format,
        "--outdir",
        str(outdir),
        str(staged),
    ]
    try:
        completed = subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise PipelineError(f"Converting the document took longer than {CONVERT_TIMEOUT_S} seconds") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    target = outdir / f"input.{target_format}"
    if completed.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise PipelineError(
            f"LibreOffice could not convert the document to {target_format.upper()}; the file may be damaged"
        )
    return target


def _office_suffix(source: Path, mime_type: str) -> str:
    """The extension LibreOffice picks its import filter by."""
    from server.pipeline import detect

    if mime_type == detect.OLE:
        return detect.ole_extension(source.read_bytes())
    return {detect.DOCX: ".docx", detect.PPTX: ".pptx", detect.XLSX: ".xlsx"}.get(mime_type, ".doc")


def image_to_pdf(source: Path, workdir: Path) -> Path:
    """A one-page PDF holding the image (first frame of a multi-page TIFF)."""
    target = workdir / "converted" / "image.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with Image.open(source) as image:
            image.load()
            frames = []
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                frames.append(_flatten(image))
    except (UnidentifiedImageError, OSError) as exc:
        raise PipelineError(f"The image could not be read: {exc}") from None
    frames[0].save(target, "PDF", resolution=_IMAGE_DPI, save_all=True, append_images=frames[1:])
    return target


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: PDF images carry no alpha here, and palette images need converting."""
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.split()[-1])
        return background
    if image.mode not in ("RGB", "L"):
        return image.convert("RGB")
    return image.copy()
