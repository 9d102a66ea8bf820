import time

import exchange
from bot import KEY, SECRET


def balances():
    data = {"timestamp": int(time.time())}  # expect: BL302
    return exchange.signed_request("/api/v3/account", data, KEY, SECRET)  # expect: BL304
