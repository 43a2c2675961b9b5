"""French: "3 janvier 2026"; 1 250 000,50."""

from unnutrition.formats import formats

globals().update(formats("j F Y", decimal=",", thousands="\xa0"))
