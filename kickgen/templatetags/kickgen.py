"""`{% kickgen_bar %}`: the AI Kick Gen mode's markup for the DAW page, for members."""

import uuid

from django import template

from kickgen import fragments
from kickgen.forms import PUNCH_STEP
from kickgen.generators.protocol import DEFAULT_KEYWORDS
from kickgen.views import ask_ranges, vocabulary

register = template.Library()


@register.inclusion_tag("kickgen/_kickgen_bar.html", takes_context=True)
def kickgen_bar(context: template.Context) -> dict:
    request = context["request"]
    kicks = fragments.kicks_for(request.user)
    first = kicks[0] if kicks else None
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "select": fragments.select_html(kicks, first),
        "kicks": fragments.kicks_html(kicks),
        "info": fragments.info_html(first),
        "status": fragments.current_status_html(request.user),
        "dialog": fragments.dialog_html(),
        "vocabulary": vocabulary(),
        "default_keywords": DEFAULT_KEYWORDS.split(),
        "ranges": ask_ranges(),
        "punch_step": PUNCH_STEP,
        "click_id": uuid.uuid4(),
    }
