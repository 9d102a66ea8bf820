import requests

# One connection pool for the whole bot.
SESSION = requests.Session()
