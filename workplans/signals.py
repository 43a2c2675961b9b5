"""What the workplans app tells the apps above it (they connect in their AppConfig.ready).

`workplan_copied` is sent by services.copy_workplan inside its transaction, once the new
draft and its outputs exist: `source` (the old workplan), `workplan` (the new one), `year`,
`outputs` ({old output id: new output}). The results app copies the outputs' indicators;
anything a receiver raises undoes the whole copy.

The workflow's domain events below are sent by the services inside the transaction that makes the
change, after the change is written, so that a receiver can record what follows from it (the cycle
app records notifications) in the same transaction: committed together, or not at all. Receivers
must not raise (the cycle app's catch and log their own errors inside a savepoint); they must not
send anything before the commit either (transaction.on_commit).

- `workplan_submitted`: `workplan`, `round` (EndorsementRound, with its requests), `user`.
- `endorsement_given`: `workplan`, `round`, `request` (EndorsementRequest, endorsed), `user`.
- `workplan_returned`: `workplan`, `round` (None for a plan submitted before joint endorsement),
  `reason`, `user`.
- `workplan_endorsed`: `workplan`, `round` (None when endorsed alone, before joint endorsement), `user`.
- `workplan_acknowledged`: `workplan`, `comment`, `user`.
- `amendment_started`, `amendment_approved`, `amendment_withdrawn`: `amendment`, `user`.
"""

from django.dispatch import Signal

workplan_copied = Signal()

workplan_submitted = Signal()
endorsement_given = Signal()
workplan_returned = Signal()
workplan_endorsed = Signal()
workplan_acknowledged = Signal()
amendment_started = Signal()
amendment_approved = Signal()
amendment_withdrawn = Signal()
