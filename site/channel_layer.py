"""channels-redis's layer with connection settings that fit its own blocking reads.

channels-redis waits for messages with BZPOPMIN for `brpop_timeout` (5 s). redis-py 8 gives
every connection a 5 s read timeout, so an idle socket's read timed out first and every
WebSocket closed with 1011 every 5 s (redis/redis-py#4091). Here reads wait longer than the
blocking command, idle pooled connections are pinged before reuse (a Redis restart leaves them
dead), and the pool is a blocking one: a burst of sockets joining their groups waits a moment
for a free connection instead of failing with "Too many connections".
"""

from typing import Any

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool

READ_MARGIN_S = 10.0
CONNECT_TIMEOUT_S = 2.0
HEALTH_CHECK_INTERVAL_S = 30.0
POOL_SIZE = 200
POOL_WAIT_S = 10.0


def connection_options(brpop_timeout: float) -> dict[str, Any]:
    return {
        "socket_timeout": brpop_timeout + READ_MARGIN_S,
        "socket_connect_timeout": CONNECT_TIMEOUT_S,
        "socket_keepalive": True,
        "health_check_interval": HEALTH_CHECK_INTERVAL_S,
    }


class ProductionRedisChannelLayer(RedisChannelLayer):
    """The hosts are Redis URLs (one per shard); everything else is the stock layer."""

    def create_pool(self, index: int) -> BlockingConnectionPool:
        return BlockingConnectionPool.from_url(
            self.hosts[index]["address"],
            max_connections=POOL_SIZE,
            timeout=POOL_WAIT_S,
            **connection_options(self.brpop_timeout),
        )
