"""Russian: "3 января 2026 г."; 1 250 000,50."""

from unnutrition.formats import formats

globals().update(formats("j E Y г.", decimal=",", thousands="\xa0"))
