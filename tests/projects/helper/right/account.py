import time

import exchange
from bot import KEY, SECRET


def balances():
    data = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}
    return exchange.signed_request("/api/v3/account", data, KEY, SECRET)
