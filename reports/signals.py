"""A deleted run takes its file with it (admin deletions, expiry)."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from . import storage
from .models import ReportRun


@receiver(post_delete, sender=ReportRun, dispatch_uid="reports.delete_run_files")
def delete_run_files(sender, instance: ReportRun, **kwargs):
    # Only once the deletion is committed: a rolled-back delete keeps its file.
    folder, name = storage.run_folder(instance), instance.file.name
    transaction.on_commit(lambda: storage.delete_run_files(folder, name))
