from binance.exceptions import BinanceAPIException


class PaperBroker:
    def create_order(self, **params):
        return {"status": "FILLED", **params}


def place(broker, symbol, quantity):
    try:
        return broker.create_order(symbol=symbol, side="BUY", type="MARKET", quantity=quantity)
    except BinanceAPIException:
        return None
