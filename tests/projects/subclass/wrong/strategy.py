class Strategy:
    exchange = None

    def place(self, amount):
        return self.exchange.create_order("BTC/USDT", "market", "buy", amount)  # expect: BL401
