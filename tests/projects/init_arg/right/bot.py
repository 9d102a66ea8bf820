import uuid

from tenacity import retry, stop_after_attempt, wait_exponential


class Bot:
    def __init__(self, client):
        self.client = client

    def buy(self, quantity):
        return self._buy(quantity, f"bot-{uuid.uuid4().hex[:20]}")

    @retry(stop=stop_after_attempt(5), wait=wait_exponential(max=60))
    def _buy(self, quantity, cid):
        return self.client.create_order(
            symbol="BTCUSDT", side="BUY", type="MARKET", quantity=quantity, newClientOrderId=cid,
        )
