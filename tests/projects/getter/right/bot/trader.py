import time
import uuid

from tenacity import retry, stop_after_attempt, wait_exponential

from bot import get_client


@retry(stop=stop_after_attempt(5), wait=wait_exponential(max=60))
def buy(quantity, cid):
    return get_client().order_market_buy(
        symbol="BTCUSDT", quantity=quantity, timestamp=int(time.time() * 1000), newClientOrderId=cid,
    )


def main():
    buy("0.01", f"bot-{uuid.uuid4().hex[:20]}")
