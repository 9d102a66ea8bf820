import time


def place(client, symbol, quantity):
    stamp = int(time.time())  # expect: BL302
    return client.create_order(  # expect: BL401
        symbol=symbol, side="BUY", type="MARKET", quantity=quantity, timestamp=stamp,
    )
