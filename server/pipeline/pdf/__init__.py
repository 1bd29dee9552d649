"""A PDF page's text layer read as a person reads the page: words and their glyph
geometry (`extract`), lines and blocks (`lines`), what each block is (`classify`),
document-wide typography (`stats`), and the page's regions in reading order
(`layout`, `order`)."""
