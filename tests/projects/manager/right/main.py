from bot import Bot
from manager import Manager

Bot(Manager()).buy("0.01")
