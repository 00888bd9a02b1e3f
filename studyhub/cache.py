"""Django's Redis cache, with one redis-py client per connection pool instead of one per call.

Django's RedisCacheClient makes a new `redis.Redis` for every cache operation. Building one
fills in its table of some 170 response callbacks: about a fifth of a millisecond of CPU, more
than the round trip to a Redis on the same network. A signed-in page makes several cache calls,
so that was a large share of its time. A client holds no connection of its own (it borrows
one from the pool for each command) and is safe to share, so one per pool is kept.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
