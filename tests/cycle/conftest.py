"""A country team with three member agencies, each with someone to sign: the convener for WFP (its
head convenes the team), UNICEF's and WHO's primary focal points; the Secretariat; another team."""

import datetime as dt
import socket
from types import SimpleNamespace

import pytest

from teams.models import Team

from ..factories import make_activity, make_team, make_user, make_workplan

YEAR = 2026


@pytest.fixture
def world(db):
    chad = make_team("TCD")
    convener = make_user("convener", chad, agency="WFP", email="convener@wfp.example.org", first_name="Amina")
    unicef = make_user("focal_point", chad, agency="UNICEF", email="fp@unicef.example.org", first_name="Idriss")
    who = make_user("focal_point", chad, agency="WHO", email="fp@who.example.org", first_name="Hawa")
    # WFP joins as a member too: its signatory is the convener (the head of the convening agency).
    from agencies.models import Agency
    from teams.models import TeamMember

    TeamMember.objects.get_or_create(team=chad, agency=Agency.objects.get(acronym="WFP"))
    secretariat = make_user("secretariat", email="secretariat@un.example.org")
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    outsider = make_user("focal_point", cambodia, agency="FAO", email="fp@fao.example.org")
    plan = make_workplan(chad, YEAR)
    make_activity(plan, title="Joint anaemia survey", budget_required=100000, start_date=dt.date(YEAR, 2, 1))
    return SimpleNamespace(
        chad=chad, convener=convener, unicef=unicef, who=who, secretariat=secretariat, outsider=outsider,
        plan=plan, cambodia=cambodia,
    )  # fmt: skip


class MailServer:
    """A real SMTP server (aiosmtpd) on a free local port whose answers a test controls:

    - `refuse[address] = "451 4.3.0 Try again later"`: RCPT TO that address gets that reply;
    - `hold_data.set()` / `.clear()`: while set, the server takes each message (it is received) and then
      waits before answering 250, as a slow server does: a sender killed meanwhile cannot know;
    - `hold_rcpt`: the same before answering RCPT TO (nothing is received yet).

    `received` holds the messages taken (email.message.EmailMessage), in order."""

    def __init__(self):
        import email
        import email.policy
        import threading

        from aiosmtpd.controller import Controller

        from ..conftest import ReceivedMail

        self.received = ReceivedMail()
        self.refuse: dict[str, str] = {}
        self.hold_data, self.hold_rcpt = threading.Event(), threading.Event()
        self.waiting = threading.Event()  # set while the server holds a reply back
        server = self

        class Handler:
            async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
                await server._hold(server.hold_rcpt)
                if address.lower() in server.refuse:
                    return server.refuse[address.lower()]
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, smtp, session, envelope):
                message = email.message_from_bytes(envelope.original_content or envelope.content,
                                                   policy=email.policy.default)  # fmt: skip
                message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
                server.received.append(message)
                await server._hold(server.hold_data)
                return "250 OK"

        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, server_hostname="localhost")

    async def _hold(self, event):
        import asyncio

        while event.is_set():
            self.waiting.set()
            await asyncio.sleep(0.02)
        self.waiting.clear()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def mail_server(settings):
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    server = MailServer()
    server.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.hold_data.clear()
        server.hold_rcpt.clear()
        server.controller.stop()
