"""What the workplans app tells the apps above it (they connect in their AppConfig.ready).

`workplan_copied` is sent by services.copy_workplan inside its transaction, once the new
draft and its outputs exist: `source` (the old workplan), `workplan` (the new one), `year`,
`outputs` ({old output id: new output}). The results app copies the outputs' indicators;
anything a receiver raises undoes the whole copy.
"""

from django.dispatch import Signal

workplan_copied = Signal()
