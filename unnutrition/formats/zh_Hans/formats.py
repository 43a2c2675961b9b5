"""Chinese: "2026年1月3日"; figures grouped by thousands with commas (Django's Chinese format groups
nothing)."""

from unnutrition.formats import formats

globals().update(formats("Y年n月j日", decimal=".", thousands=","))
