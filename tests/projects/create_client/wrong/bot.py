import time

from base import BaseBot


class Bot(BaseBot):
    def __init__(self):
        self.client = self._create_client()

    def buy(self, quantity):
        return self.client.order_market_buy(  # expect: BL401
            symbol="BTCUSDT", quantity=quantity, timestamp=time.time() * 1000,  # expect: BL302
        )
