import time

from bot import get_client


def buy(quantity):
    return get_client().order_market_buy(  # expect: BL401
        symbol="BTCUSDT", quantity=quantity, timestamp=int(time.time()),  # expect: BL302
    )
