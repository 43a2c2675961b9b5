from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        help_text=_("Start from the template of this workplan; rows keep their hidden id."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    delete_missing = forms.BooleanField(
        label=_("Delete the activities that are not in the file"),
        required=False,
        help_text=_("Without this, activities missing from the file are left as they are."),
    )


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        help_text=_("Start from the roster template of this team; rows keep their hidden id."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    delete_missing = forms.BooleanField(
        label=_("End the focal points that are not in the file"),
        required=False,
        help_text=_("Without this, focal points missing from the file stay as they are."),
    )
