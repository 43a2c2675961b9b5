"""Arabic: "3 يناير، 2026"; Latin digits grouped by commas, as UN Arabic documents print figures
(Django's Arabic format groups nothing)."""

from unnutrition.formats import formats

globals().update(formats("j F، Y", decimal=".", thousands=","))
