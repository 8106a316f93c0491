from django.urls import path

from kickgen.consumer import KickgenConsumer

websocket_urlpatterns = [
    path("ws/kickgen/", KickgenConsumer.as_asgi()),
]
