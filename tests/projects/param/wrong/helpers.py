import time

from binance.client import Client
from binance.exceptions import BinanceAPIException


def create_limit_order(client, symbol, quantity, price):
    try:
        return client.order_limit_buy(  # expect: BL401
            symbol=symbol, quantity=quantity, price=price, timestamp=int(time.time()),  # expect: BL302
        )
    except BinanceAPIException:
        return None


def create_market_order(client: Client, symbol, quantity):
    return client.create_order(symbol=symbol, side="BUY", type="MARKET", quantity=quantity)  # expect: BL401
