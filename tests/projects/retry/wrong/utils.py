import functools
import time


def retry(fn, *args):
    for _ in range(20):
        try:
            return fn(*args)
        except Exception:
            time.sleep(1)
    return None


def retry_on_error(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        for _ in range(20):
            try:
                return fn(*args, **kwargs)
            except Exception:
                time.sleep(1)
        return None
    return wrapper
