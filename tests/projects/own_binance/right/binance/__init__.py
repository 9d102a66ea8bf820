"""The bot's own Binance package (not the SDK)."""
