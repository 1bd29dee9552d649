"""Tables on a PDF page: ruled grids, rule-framed ("booktabs") tables, tables set
in aligned columns of text without rules, and dot-leader tables of contents.

Finding a table (where it is) and structuring it (its cells) are separate: every
finder hands its words to `grid.build_table`, which makes rows from text lines
(`rows`) and columns from rules and from the white-space gutters that run through
the rows (`columns`), then cells and spans (`spans`); `text` holds the line and
segment geometry they share.
"""

from server.pipeline.tables.leaders import find_leader_tables
from server.pipeline.tables.model import Cell, Table
from server.pipeline.tables.ruled import find_tables
from server.pipeline.tables.unruled import find_unruled_tables

__all__ = ["Cell", "Table", "find_leader_tables", "find_tables", "find_unruled_tables"]
