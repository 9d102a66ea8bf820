class Bot:
    def __init__(self, client):
        self.client = client

    def buy(self, quantity):
        return self.client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=quantity)  # expect: BL401
