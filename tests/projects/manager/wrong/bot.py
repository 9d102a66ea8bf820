class Bot:
    def __init__(self, manager):
        self.manager = manager
        self.client = self.manager.client

    def buy(self, quantity):
        return self.client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=quantity)  # expect: BL401
