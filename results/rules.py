"""Who may do what with a team's results. Asked about the workplan (or team) the record belongs to.

- The team's people (focal points and conveners) and the Secretariat enter and correct values and
  add evidence, whatever the state of the workplan (as they report progress).
- The team's conveners and the Secretariat approve or return values, never one they entered.
- Only the Secretariat unlocks a value of a closed period, saying why.
- Indicators and targets are planned with the workplan (workplans.rules.edit_workplan).
"""

from accounts.rules import is_secretariat, register
from teams.rules import is_team_convener, is_team_member

enter_values = is_secretariat | is_team_member
decide_values = is_secretariat | is_team_convener
manage_evidence = is_secretariat | is_team_member
unlock_values = is_secretariat

register(
    {
        "enter_values": enter_values,
        "decide_values": decide_values,
        "manage_evidence": manage_evidence,
        "unlock_values": unlock_values,
    }
)
