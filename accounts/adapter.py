"""allauth adapter: the DAW page shows no flash messages, so skip the login/logout ones.

Otherwise "You have signed out." would wait in the session for the next page that lists
messages (the presets bar after the next login).
"""

from allauth.account.adapter import DefaultAccountAdapter

SILENT_MESSAGE_TEMPLATES = {
    "account/messages/logged_in.txt",
    "account/messages/logged_out.txt",
}


class AccountAdapter(DefaultAccountAdapter):
    def add_message(
        self,
        request,
        level,
        message_template=None,
        message_context=None,
        extra_tags="",
        message=None,
    ) -> None:
        if message_template in SILENT_MESSAGE_TEMPLATES:
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)
