import functools
import time

import requests


def retry(fn, *args):
    for attempt in range(5):
        try:
            return fn(*args)
        except requests.exceptions.ConnectTimeout:
            time.sleep(min(2 ** attempt, 30))
    raise RuntimeError("Binance could not be reached")


def retry_on_error(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        for attempt in range(5):
            try:
                return fn(*args, **kwargs)
            except requests.exceptions.ConnectTimeout:
                time.sleep(min(2 ** attempt, 30))
        raise RuntimeError("Binance could not be reached")
    return wrapper
