import os

from client import SignedClient


class Account(SignedClient):
    def balances(self):
        return self._signed("GET", "/api/v3/account", {})


def main():
    account = Account(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
    while True:
        print(account.balances().json())
