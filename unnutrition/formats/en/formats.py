"""English: "3 Jan 2026" (day, short month, year: read the same in London and New York)."""

from unnutrition.formats import formats

globals().update(formats("j M Y", decimal=".", thousands=","))
