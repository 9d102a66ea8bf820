import time
import uuid

from tenacity import retry, stop_after_attempt, wait_exponential

from base import BaseBot


class Bot(BaseBot):
    def __init__(self):
        self.client = self._create_client()

    def buy(self, quantity):
        return self._buy(quantity, f"bot-{uuid.uuid4().hex[:20]}")

    @retry(stop=stop_after_attempt(5), wait=wait_exponential(max=60))
    def _buy(self, quantity, cid):
        return self.client.order_market_buy(
            symbol="BTCUSDT", quantity=quantity, timestamp=int(time.time() * 1000), newClientOrderId=cid,
        )
