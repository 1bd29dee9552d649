"""Office documents and images → PDF, so every paged input goes through one path.

Office files are converted by LibreOffice headless, in a private profile
directory per call (concurrent soffice processes sharing a profile block each
other). Images become one-page PDFs at their own pixel size, ready for OCR.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from server.errors import PipelineError
from server.pipeline import limits

SOFFICE_MISSING = (
    "LibreOffice (soffice) is not installed; install it with `apt-get install libreoffice-core-nogui "
    "libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui`"
)
NEEDS_SOFFICE = (
    "{kind} files need LibreOffice to be read (DOCX, PPTX and XLSX do not), and it is not installed; "
    "install it with `apt-get install libreoffice-core-nogui libreoffice-writer-nogui libreoffice-calc-nogui "
    "libreoffice-impress-nogui`, or save the file as {modern}"
)
CONVERT_TIMEOUT_S = 300
_IMAGE_DPI = 150.0  # scans and photos have no physical size we can trust; assume this resolution


def soffice_path() -> str | None:
    """The LibreOffice binary, or None when it is not installed. CHUNKD_SOFFICE names the
    binary when it is not on PATH, or is `off` to run as if LibreOffice were absent."""
    chosen = os.environ.get("CHUNKD_SOFFICE", "").strip()
    if chosen.lower() in ("off", "none", "false", "0"):
        return None
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
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


def check_unpacked_size(source: Path) -> None:
    """DOCX, XLSX, ODT... are zips: refuse one that unpacks past the limit (a zip bomb)
    before any reader inflates it (server/pipeline/run.py calls this first). Members
    are inflated and counted, since the sizes a zip declares can lie."""
    if not zipfile.is_zipfile(source):
        return  # the older OLE formats are not compressed
    limit = limits.current().max_unpacked_bytes
    refusal = PipelineError(
        f"The document unpacks to more than {limits.size_text(limit)} (the limit, CHUNKD_MAX_UNPACKED_BYTES)"
    )
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > limit:
                raise refusal
            total = 0
            for member in members:
                with archive.open(member) as stream:
                    while block := stream.read(1 << 20):
                        total += len(block)
                        if total > limit:
                            raise refusal
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise PipelineError(f"The document is a damaged archive: {exc}") from None


def _soffice_convert(source: Path, mime_type: str, workdir: Path, target_format: str) -> Path:
    binary = soffice_path()
    if binary is None:
        raise PipelineError(_missing_message(source, mime_type))
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


def _missing_message(source: Path, mime_type: str) -> str:
    """What to tell the user when a file needs LibreOffice and it is absent: which kind, and what to do."""
    suffix = _office_suffix(source, mime_type)
    kinds = {
        ".doc": ("Legacy Word (.doc)", "DOCX"),
        ".xls": ("Legacy Excel (.xls)", "XLSX"),
        ".ppt": ("Legacy PowerPoint (.ppt)", "PPTX"),
        ".odt": ("OpenDocument text (.odt)", "DOCX"),
        ".ods": ("OpenDocument spreadsheet (.ods)", "XLSX"),
        ".odp": ("OpenDocument presentation (.odp)", "PPTX"),
    }
    if suffix not in kinds:
        return SOFFICE_MISSING
    kind, modern = kinds[suffix]
    return NEEDS_SOFFICE.format(kind=kind, modern=modern)


def _office_suffix(source: Path, mime_type: str) -> str:
    """The extension LibreOffice picks its import filter by."""
    from server.pipeline import detect

    if mime_type == detect.OLE:
        return detect.ole_extension(source.read_bytes())
    return {
        detect.DOCX: ".docx",
        detect.PPTX: ".pptx",
        detect.XLSX: ".xlsx",
        detect.ODT: ".odt",
        detect.ODS: ".ods",
        detect.ODP: ".odp",
    }.get(mime_type, ".doc")


def image_to_pdf(source: Path, workdir: Path) -> Path:
    """A one-page PDF holding the image (first frame of a multi-page TIFF)."""
    target = workdir / "converted" / "image.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with Image.open(source) as image:
            check_pixels(image.width, image.height, "The image")
            image.load()
            count = getattr(image, "n_frames", 1)
            if count > limits.current().max_pages:
                raise PipelineError(over_page_limit(count))
            frames = []
            for index in range(count):
                image.seek(index)
                frames.append(_flatten(image))
    except Image.DecompressionBombError:
        raise PipelineError(f"The image is {_over_pixel_limit()}") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise PipelineError(f"The image could not be read: {exc}") from None
    frames[0].save(target, "PDF", resolution=_IMAGE_DPI, save_all=True, append_images=frames[1:])
    return target


def check_pixels(width: int, height: int, what: str) -> None:
    """`what` ("The image", "Page 3") is refused when it has more pixels than the limit."""
    if width * height > limits.current().max_image_pixels:
        raise PipelineError(f"{what} is {width:,} x {height:,} pixels, {_over_pixel_limit()}")


def over_page_limit(count: int) -> str:
    return f"The document has {count:,} pages, over the limit of {limits.current().max_pages:,} (CHUNKD_MAX_PAGES)"


def _over_pixel_limit() -> str:
    return f"over the limit of {limits.current().max_image_pixels:,} pixels (CHUNKD_MAX_IMAGE_PIXELS)"


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
