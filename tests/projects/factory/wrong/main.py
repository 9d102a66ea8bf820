import exchange
import settings


def sell(quantity):
    exchange.client().order_market_sell(symbol=settings.SYMBOL, quantity=quantity)  # expect: BL401
