import uuid

import backoff

import exchange
import settings


def sell(quantity):
    cid = f"bot-{uuid.uuid4().hex[:20]}"
    return _sell(quantity, cid)


@backoff.on_exception(backoff.expo, Exception, max_tries=5)
def _sell(quantity, cid):
    return exchange.client().order_market_sell(symbol=settings.SYMBOL, quantity=quantity, newClientOrderId=cid)
