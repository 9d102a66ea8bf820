import time
import uuid

from tenacity import retry, stop_after_attempt, wait_exponential


def place(client, symbol, quantity):
    return _place(client, symbol, quantity, f"bot-{uuid.uuid4().hex[:20]}")


@retry(stop=stop_after_attempt(5), wait=wait_exponential(max=60))
def _place(client, symbol, quantity, cid):
    stamp = int(time.time() * 1000)
    return client.create_order(
        symbol=symbol, side="BUY", type="MARKET", quantity=quantity, timestamp=stamp, newClientOrderId=cid,
    )
