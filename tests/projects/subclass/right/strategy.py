import uuid

from tenacity import retry, stop_after_attempt, wait_exponential


class Strategy:
    exchange = None

    def place(self, amount):
        return self._place(amount, f"bot-{uuid.uuid4().hex[:20]}")

    @retry(stop=stop_after_attempt(5), wait=wait_exponential(max=60))
    def _place(self, amount, cid):
        return self.exchange.create_order("BTC/USDT", "market", "buy", amount, params={"clientOrderId": cid})
