"""Spanish: "3 de enero de 2026"; 1 250 000,50."""

from unnutrition.formats import formats

globals().update(formats(r"j \d\e F \d\e Y", decimal=",", thousands="\xa0"))
