import time
import uuid

from binance.client import Client
from tenacity import retry, stop_after_attempt, wait_exponential


def create_limit_order(client, symbol, quantity, price):
    return _limit(client, symbol, quantity, price, f"bot-{uuid.uuid4().hex[:20]}")


@retry(stop=stop_after_attempt(5), wait=wait_exponential(max=60))
def _limit(client, symbol, quantity, price, cid):
    return client.order_limit_buy(
        symbol=symbol, quantity=quantity, price=price, timestamp=int(time.time() * 1000), newClientOrderId=cid,
    )


def create_market_order(client: Client, symbol, quantity):
    return _market(client, symbol, quantity, f"bot-{uuid.uuid4().hex[:20]}")


@retry(stop=stop_after_attempt(5), wait=wait_exponential(max=60))
def _market(client: Client, symbol, quantity, cid):
    return client.create_order(symbol=symbol, side="BUY", type="MARKET", quantity=quantity, newClientOrderId=cid)
